"""Per-source run locks: two crawls of one source never overlap (an hourly cron whose run is slow)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_DIR_NAME = ".newscrawl-locks"
_held: dict[str, int] = {}  # lock path -> open descriptor, for this process


class AlreadyRunning(RuntimeError):
    """Another process holds the source's lock."""


def lock_path(state_file: Path, source: str) -> Path:
    """Next to the state file: the lock guards the state and archive of that one source."""
    return Path(state_file).parent / LOCK_DIR_NAME / f"{source}.lock"


def acquire(state_file: Path, source: str) -> Path:
    """Take the source's lock (no-op if this process holds it); the OS releases it if the process dies."""
    path = lock_path(state_file, source)
    key = os.path.abspath(path)
    if key in _held:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip()
        os.close(fd)
        raise AlreadyRunning(f"{source} is already being crawled (pid {holder or '?'}, lock {path})") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _held[key] = fd
    return path


def held(state_file: Path, source: str) -> bool:
    path = lock_path(state_file, source)
    return os.path.abspath(path) in _held


def release_all() -> None:
    for key, fd in list(_held.items()):
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        except OSError:
            pass
        del _held[key]
