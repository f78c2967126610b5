"""Incremental state: an SQLite file recording every article written to the archive."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
STATE_FILE_NAME = ".newscrawl-state.sqlite3"
MIGRATIONS = {
    # version -> statements that bring a store from version-1 to version
    1: [
        """CREATE TABLE IF NOT EXISTS articles (
               urlname TEXT PRIMARY KEY,
               url TEXT NOT NULL,
               source TEXT NOT NULL,
               path TEXT NOT NULL,
               fingerprint TEXT NOT NULL,
               published TEXT,
               written_at REAL NOT NULL
           )""",
        "CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint)",
        "CREATE INDEX IF NOT EXISTS articles_source ON articles (source)",
    ],
    2: [
        # columns read to their last page at least once by a crawl that finished: only those may
        # stop paginating at a page of known articles (an interrupted first crawl must go on)
        "CREATE TABLE IF NOT EXISTS columns (url TEXT PRIMARY KEY, completed_at REAL NOT NULL)",
    ],
}


class StateError(RuntimeError):
    """The state file is unusable (corrupt, or from a newer newscrawl)."""


class StateStore:
    """Articles already archived, looked up by urlname or content fingerprint (both indexed)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"state file {self.path} is not a usable SQLite database ({exc}); move it aside and "
                "re-run with -a full=1: every article found is recorded again (unchanged files are not rewritten)"
            ) from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(f"state file {self.path} has schema {version}, newer than this newscrawl ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.db:
                self.db.execute("BEGIN")
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={target}")
            logger.info("state %s migrated to schema %d", self.path, target)

    def has(self, urlname: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE urlname=?", (urlname,)).fetchone() is not None

    def urlname_with_fingerprint(self, fingerprint: str) -> str | None:
        row = self.db.execute("SELECT urlname FROM articles WHERE fingerprint=? LIMIT 1", (fingerprint,)).fetchone()
        return row[0] if row else None

    def record(self, *, urlname: str, url: str, source: str, path: str, fingerprint: str, published: str | None) -> None:
        """Called only after the archive file is in place, so a crash never records a missing file."""
        self.db.execute(
            "INSERT OR REPLACE INTO articles (urlname, url, source, path, fingerprint, published, written_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (urlname, url, source, path, fingerprint, published, time.time()),
        )

    def column_complete(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM columns WHERE url=?", (url,)).fetchone() is not None

    def mark_column_complete(self, url: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO columns (url, completed_at) VALUES (?, ?)", (url, time.time()))

    def count(self, source: str | None = None) -> int:
        if source:
            return self.db.execute("SELECT COUNT(*) FROM articles WHERE source=?", (source,)).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def sources(self) -> list[tuple[str, int]]:
        return self.db.execute("SELECT source, COUNT(*) FROM articles GROUP BY source ORDER BY source").fetchall()

    def missing_files(self, root: Path) -> list[str]:
        """urlnames recorded whose archive file is gone."""
        rows = self.db.execute("SELECT urlname, path FROM articles").fetchall()
        return [u for u, p in rows if not (root / p).exists()]

    def forget(self, urlnames) -> int:
        count = 0
        for urlname in urlnames:
            count += self.db.execute("DELETE FROM articles WHERE urlname=?", (urlname,)).rowcount
        return count

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
    return Path(settings.get("NEWSCRAWL_OUTPUT_DIR") or "output") / STATE_FILE_NAME


def store_for(crawler) -> StateStore:
    """The crawl's one StateStore, shared by its spider and pipelines (one writer per process)."""
    store = getattr(crawler, "_newscrawl_state", None)
    if store is None:
        path = state_path(crawler.settings)
        existed = path.exists()
        store = StateStore(path)
        crawler._newscrawl_state = store
        output_dir = Path(crawler.settings.get("NEWSCRAWL_OUTPUT_DIR") or "output")
        if not existed and any(output_dir.glob("*/*.md")):
            from newscrawl.rebuild import rebuild_from_archive

            logger.warning("state file %s was missing but %s holds archive files: rebuilding it from them",
                           path, output_dir)
            logger.warning("state rebuilt: %d archive files recorded", rebuild_from_archive(store, output_dir))
    return store
