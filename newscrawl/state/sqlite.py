"""The SQLite backend: the state in one file beside the archive (one machine)."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from newscrawl.state.errors import StateError
from newscrawl.state.schema import MIGRATIONS, SCHEMA_VERSION
from newscrawl.state.store import StateStore
from newscrawl.paths import output_folder

logger = logging.getLogger("newscrawl.state")

STATE_FILE_NAME = ".newscrawl-state.sqlite3"


def _diagnose(path: Path, exc: sqlite3.Error) -> StateError:
    """One line that names the real cause and the right remedy."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StateError(f"state file {path} is locked by another process (another crawl, or a program "
                          "holding it open): wait for it to finish, then run again")
    if "readonly" in text or "unable to open" in text or "read-only" in text or isinstance(exc, PermissionError):
        return StateError(f"state file {path} cannot be written ({text}): check the folder's permissions "
                          "and free space, or set NEWSCRAWL_STATE_PATH")
    return StateError(
        f"state file {path} is not a usable SQLite database ({text}); move it aside and "
        "re-run with -a full=1: every article found is recorded again (unchanged files are not rewritten)"
    )


class SqliteStateStore(StateStore):
    """The state in one SQLite file (WAL mode, schema version in PRAGMA user_version)."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike, timeout: float = 30.0):
        self.path = Path(path)
        self.opened_at = time.time()
        self.created = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"state file {self.path}: cannot create its folder ({exc.strerror})") from None
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=timeout)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise _diagnose(self.path, exc) from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(f"state file {self.path} has schema {version}, newer than this newscrawl ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={target}")
            (logger.info if version else logger.debug)("state %s migrated to schema %d", self.path, target)

    def check_writable(self) -> None:
        """Raise StateError now, with the right diagnosis, if another process holds the write lock."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise _diagnose(self.path, exc) from None

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass


def state_path(settings) -> Path:
    """NEWSCRAWL_STATE_PATH, else a file inside NEWSCRAWL_OUTPUT_DIR."""
    configured = settings.get("NEWSCRAWL_STATE_PATH")
    if configured:
        return Path(configured)
    return output_folder(settings) / STATE_FILE_NAME
