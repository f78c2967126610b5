"""Per-source run locks: two crawls of one source never overlap (an hourly cron whose run is slow).

On PostgreSQL, an advisory lock (postgres.py) that holds across machines. With the SQLite state,
a lock on the folder that holds the state file, not on a file in it: a lock file can be deleted
by a clean-up, the state file replaced by a restore, and a crawl started after that would not see
the running one's lock; the folder cannot be replaced while it holds the state.

Linux open file description (OFD) locks on one descriptor of the folder, kept for the process's
life: each source holds a shared lock on its own byte (at an offset from the hash of the state
file's name and the source's name; a folder opens only for reading, so shared locks are all it
can hold). A newcomer asks the kernel whether anyone holds that byte (F_OFD_GETLK), under
flock() on the same folder, so that asking and taking are one step. The locks belong to the
descriptor, not to the process: no other open and close of the folder (a glob of the output
folder) drops them, and the OS drops them when the process dies. 3,000 sources: one descriptor.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import struct
from pathlib import Path

from newscrawl.state.errors import AlreadyRunning
from newscrawl.state.postgres import lock_source as pg_lock_source, release_sources as pg_release_sources
from newscrawl.state.sqlite import state_path

F_OFD_GETLK = getattr(fcntl, "F_OFD_GETLK", None)  # Linux 3.15+
F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", None)
FLOCK = struct.Struct("@hhqqi4x")  # struct flock: l_type, l_whence, l_start, l_len, l_pid
_folders: dict[tuple[int, int], int] = {}  # (device, inode) of a state's folder -> this process's descriptor
_held: set[tuple[tuple[int, int], int]] = set()  # (folder, offset) held by this process


def _offset(state_file: Path, source: str) -> int:
    # 48 bits of an md5: distinct sources never share a byte in practice
    return int(hashlib.md5(f"{state_file.name}\0{source}".encode("utf-8")).hexdigest()[:12], 16)


def _descriptor(folder: Path) -> tuple[tuple[int, int], int]:
    if F_OFD_SETLK is None:
        raise OSError(errno.ENOTSUP, "run locks need Linux (open file description locks); "
                                     "elsewhere set NEWSCRAWL_STATE_URL to a PostgreSQL database")
    folder.mkdir(parents=True, exist_ok=True)
    info = folder.stat()
    key = (info.st_dev, info.st_ino)  # the folder, however it is named (relative, through a link)
    if key not in _folders:
        _folders[key] = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return key, _folders[key]


def _held_elsewhere(fd: int, offset: int) -> bool:
    """Does another descriptor (another crawl) hold a lock on this byte? Our own never conflict."""
    answer = fcntl.fcntl(fd, F_OFD_GETLK, FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0))
    return FLOCK.unpack(answer)[0] != fcntl.F_UNLCK


def acquire(state_file: Path, source: str) -> Path:
    """Take the source's lock (no-op if this process holds it already); the folder locked."""
    state_file = Path(state_file)
    folder = state_file.parent
    key, fd = _descriptor(folder)
    offset = _offset(state_file, source)
    if (key, offset) in _held:
        return folder
    fcntl.flock(fd, fcntl.LOCK_EX)  # held for the two calls below only: waiting on it is brief
    try:
        if _held_elsewhere(fd, offset):
            raise AlreadyRunning(f"{source} is already being crawled (its lock is on {folder})")
        fcntl.fcntl(fd, F_OFD_SETLK, FLOCK.pack(fcntl.F_RDLCK, os.SEEK_SET, offset, 1, 0))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
    _held.add((key, offset))
    return folder


def release_file_locks() -> None:
    for key, fd in list(_folders.items()):
        try:
            os.close(fd)  # drops every lock held through it
        except OSError:
            pass
        del _folders[key]
    _held.clear()


def lock_source(settings, source: str) -> None:
    """The source's run lock (raises AlreadyRunning): a lock on the SQLite state's folder, or a
    PostgreSQL advisory lock that holds across every machine sharing the database."""
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        pg_lock_source(url, source, settings.getfloat("NEWSCRAWL_STATE_TIMEOUT"))
    else:
        acquire(state_path(settings), source)


def release_source_locks() -> None:
    """Release every run lock this process holds (file and PostgreSQL)."""
    release_file_locks()
    pg_release_sources()
