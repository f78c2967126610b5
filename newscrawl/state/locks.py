"""Per-source run locks: two crawls of one source never overlap (an hourly cron whose run is slow).

On PostgreSQL, an advisory lock (postgres.py) that holds across machines. With the SQLite file, one
lock file next to the state; each source locks its own byte (a POSIX record lock at an offset
from the hash of its name), so a crawl of 3,000 sources holds one file descriptor, not 3,000. The
OS releases the locks when the process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from newscrawl.state.errors import AlreadyRunning
from newscrawl.state.postgres import lock_source as pg_lock_source, release_sources as pg_release_sources
from newscrawl.state.sqlite import state_path

LOCK_FILE_NAME = ".newscrawl-locks"
_files: dict[str, int] = {}             # lock file path -> the one descriptor this process keeps open
_held: set[tuple[str, int]] = set()     # (lock file, offset) held by this process


def lock_file(state_file: Path) -> Path:
    return Path(state_file).parent / LOCK_FILE_NAME


def _offset(source: str) -> int:
    # 48 bits of the name's md5: distinct sources never share a byte in practice
    return int(hashlib.md5(source.encode("utf-8")).hexdigest()[:12], 16)


def _descriptor(path: Path) -> int:
    # POSIX record locks belong to the process and die with ANY close of the file: open it once
    key = os.path.abspath(path)
    if key not in _files:
        path.parent.mkdir(parents=True, exist_ok=True)
        _files[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    return _files[key]


def acquire(state_file: Path, source: str) -> Path:
    """Take the source's lock (no-op if this process holds it already)."""
    path = lock_file(state_file)
    key = (os.path.abspath(path), _offset(source))
    if key in _held:
        return path
    fd = _descriptor(path)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, key[1])
    except (BlockingIOError, PermissionError):
        raise AlreadyRunning(f"{source} is already being crawled (lock {path})") from None
    _held.add(key)
    return path


def release_file_locks() -> None:
    for path, fd in list(_files.items()):
        try:
            os.close(fd)  # releases every record lock this process holds on the file
        except OSError:
            pass
        del _files[path]
    _held.clear()


def lock_source(settings, source: str) -> None:
    """The source's run lock (raises AlreadyRunning): a byte lock in the file next to the SQLite
    state, or a PostgreSQL advisory lock that holds across every machine sharing the database."""
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        pg_lock_source(url, source, settings.getfloat("NEWSCRAWL_STATE_TIMEOUT"))
    else:
        acquire(state_path(settings), source)


def release_source_locks() -> None:
    """Release every run lock this process holds (file and PostgreSQL)."""
    release_file_locks()
    pg_release_sources()
