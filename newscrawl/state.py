"""Incremental state: an SQLite file recording every article archived, and every one that failed."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4
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
    3: [
        # 'archived' rows have a file; 'duplicate' rows are reposts of an archived text, recorded so
        # that an hourly run does not fetch every repost again forever
        "ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'archived'",
        # articles that did not reach the archive (download, extraction, write or state failure):
        # later runs retry them first, a bounded number of times
        """CREATE TABLE IF NOT EXISTS failures (
               urlname TEXT PRIMARY KEY,
               url TEXT NOT NULL,
               source TEXT NOT NULL,
               column_url TEXT NOT NULL DEFAULT '',
               cms TEXT NOT NULL DEFAULT 'auto',
               kind TEXT NOT NULL,
               reason TEXT NOT NULL DEFAULT '',
               attempts INTEGER NOT NULL DEFAULT 0,
               last_try REAL NOT NULL
           )""",
        "CREATE INDEX IF NOT EXISTS failures_source ON failures (source)",
        "CREATE INDEX IF NOT EXISTS failures_column ON failures (column_url)",
    ],
    4: [
        # run history: one row per source per run, for `scrapy report`; counts, failures and
        # problems are JSON objects/lists kept as text (plain SQL, portable to other databases)
        """CREATE TABLE IF NOT EXISTS runs (
               source TEXT NOT NULL,
               started_at REAL NOT NULL,
               duration_s REAL NOT NULL,
               status TEXT NOT NULL,
               exit_code INTEGER NOT NULL,
               articles_written INTEGER NOT NULL DEFAULT 0,
               counts TEXT NOT NULL DEFAULT '{}',
               failures TEXT NOT NULL DEFAULT '{}',
               problems TEXT NOT NULL DEFAULT '[]'
           )""",
        "CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at)",
    ],
}


class StateError(RuntimeError):
    """The state file is unusable (corrupt, locked, unwritable, or from a newer newscrawl)."""


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


class StateStore:
    """Articles archived (by urlname or content fingerprint, both indexed) and articles pending a retry."""

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
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={target}")
            (logger.info if version else logger.debug)("state %s migrated to schema %d", self.path, target)

    # ---- what is known ---------------------------------------------------------------------
    def has(self, urlname: str) -> bool:
        """Archived, or recorded as a repost of an archived text."""
        return self.db.execute("SELECT 1 FROM articles WHERE urlname=?", (urlname,)).fetchone() is not None

    def known(self, urlname: str, max_attempts: int) -> bool:
        """Nothing more to fetch: archived, a recorded repost, or a failure that used up its attempts."""
        return self.db.execute(
            "SELECT 1 FROM articles WHERE urlname=? UNION ALL "
            "SELECT 1 FROM failures WHERE urlname=? AND attempts>=?", (urlname, urlname, max_attempts),
        ).fetchone() is not None

    def urlname_with_fingerprint(self, fingerprint: str) -> str | None:
        row = self.db.execute(
            "SELECT urlname FROM articles WHERE fingerprint=? AND kind='archived' LIMIT 1", (fingerprint,)
        ).fetchone()
        return row[0] if row else None

    # ---- recording -------------------------------------------------------------------------
    def record(self, *, urlname: str, url: str, source: str, path: str, fingerprint: str, published: str | None,
               kind: str = "archived") -> None:
        """Called only after the archive file is in place, so a crash never records a missing file."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO articles (urlname, url, source, path, fingerprint, published, written_at, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (urlname, url, source, path, fingerprint, published, time.time(), kind),
            )
            self.db.execute("DELETE FROM failures WHERE urlname=?", (urlname,))

    def record_duplicate(self, *, urlname: str, url: str, source: str, fingerprint: str) -> None:
        """A repost of an archived text: known from now on, never fetched again, no file."""
        self.record(urlname=urlname, url=url, source=source, path="", fingerprint=fingerprint, published=None,
                    kind="duplicate")

    def record_failure(self, *, urlname: str, url: str, source: str, kind: str, reason: str = "",
                       column: str = "", cms: str = "auto", use_attempt: bool = True) -> int:
        """One more failed attempt at an article; returns the attempts so far.

        use_attempt=False records it without using up an attempt (an anti-bot wall says nothing
        about the article: it is tried again, however long the wall stands).
        """
        step = 1 if use_attempt else 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO failures (urlname, url, source, column_url, cms, kind, reason, attempts, last_try) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(urlname) DO UPDATE SET "
                "kind=excluded.kind, reason=excluded.reason, attempts=failures.attempts+excluded.attempts, "
                "last_try=excluded.last_try, "
                "column_url=CASE WHEN excluded.column_url<>'' THEN excluded.column_url ELSE failures.column_url END",
                (urlname, url, source, column, cms, kind, reason[:500], step, time.time()),
            )
            row = self.db.execute("SELECT attempts FROM failures WHERE urlname=?", (urlname,)).fetchone()
        return row[0] if row else 1

    def pending(self, source: str, max_attempts: int) -> list[dict]:
        """Failed articles of a source that still have attempts left, oldest try first."""
        rows = self.db.execute(
            "SELECT urlname, url, column_url, cms, kind, attempts FROM failures "
            "WHERE source=? AND attempts<? ORDER BY last_try", (source, max_attempts),
        ).fetchall()
        return [dict(zip(("urlname", "url", "column", "cms", "kind", "attempts"), r)) for r in rows]

    def failures(self, source: str | None = None) -> list[dict]:
        query = "SELECT urlname, url, source, column_url, kind, reason, attempts, last_try FROM failures"
        rows = self.db.execute(query + (" WHERE source=?" if source else "") + " ORDER BY source, last_try",
                               (source,) if source else ()).fetchall()
        return [dict(zip(("urlname", "url", "source", "column", "kind", "reason", "attempts", "last_try"), r))
                for r in rows]

    def retry_given_up(self, source: str | None = None) -> int:
        """Give every failed article its attempts back (after fixing what made them fail)."""
        query = "UPDATE failures SET attempts=0"
        return self.db.execute(query + (" WHERE source=?" if source else ""), (source,) if source else ()).rowcount

    def column_has_pending(self, column: str, max_attempts: int) -> bool:
        return self.db.execute("SELECT 1 FROM failures WHERE column_url=? AND attempts<? LIMIT 1",
                               (column, max_attempts)).fetchone() is not None

    # ---- several writers (PostgreSQL adds a lock across machines: state_pg.py) -------------
    def claim(self, urlname: str) -> bool:
        """May this crawl write urlname now? Not if another crawl archived it since this store was opened
        (both fetched it at once); a crawl that starts later (a full re-crawl) may rewrite it."""
        return self.db.execute("SELECT 1 FROM articles WHERE urlname=? AND written_at>=?",
                               (urlname, self.opened_at)).fetchone() is None

    def release(self, urlname: str) -> None:
        """Done writing urlname (one machine: nothing to release)."""

    # ---- columns ---------------------------------------------------------------------------
    def column_complete(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM columns WHERE url=?", (url,)).fetchone() is not None

    def mark_column_complete(self, url: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO columns (url, completed_at) VALUES (?, ?)", (url, time.time()))

    # ---- reports and maintenance -----------------------------------------------------------
    def count(self, source: str | None = None) -> int:
        """Articles archived (with a file)."""
        if source:
            return self.db.execute("SELECT COUNT(*) FROM articles WHERE source=? AND kind='archived'",
                                   (source,)).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM articles WHERE kind='archived'").fetchone()[0]

    def check_writable(self) -> None:
        """Raise StateError now, with the right diagnosis, if another process holds the write lock."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise _diagnose(self.path, exc) from None

    def is_empty(self) -> bool:
        return (self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None
                and self.db.execute("SELECT 1 FROM failures LIMIT 1").fetchone() is None)

    def sources(self) -> list[tuple[str, int]]:
        return self.db.execute("SELECT source, COUNT(*) FROM articles WHERE kind='archived' "
                               "GROUP BY source ORDER BY source").fetchall()

    def missing_files(self, root: Path) -> list[str]:
        """urlnames recorded as archived whose archive file is gone."""
        rows = self.db.execute("SELECT urlname, path FROM articles WHERE kind='archived'").fetchall()
        return [u for u, p in rows if not (root / p).exists()]

    def forget(self, urlnames) -> int:
        """Forget archived articles (their file is gone) and queue them for the next crawl to fetch again.

        They go to the failures table with no attempt used, so the next run requests them first,
        wherever they now stand in their column (a column stops paginating at known articles).
        """
        count = 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for urlname in urlnames:
                row = self.db.execute("SELECT url, source FROM articles WHERE urlname=?", (urlname,)).fetchone()
                if row is None:
                    continue
                self.db.execute("DELETE FROM articles WHERE urlname=?", (urlname,))
                self.db.execute(
                    "INSERT OR REPLACE INTO failures (urlname, url, source, kind, reason, attempts, last_try) "
                    "VALUES (?, ?, ?, 'pruned', 'archive file removed', 0, ?)", (urlname, row[0], row[1], time.time()),
                )
                count += 1
        return count

    # ---- run history -----------------------------------------------------------------------
    RUN_FIELDS = ("source", "started_at", "duration_s", "status", "exit_code", "articles_written",
                  "counts", "failures", "problems")

    def record_run(self, *, source: str, started_at: float, duration_s: float, status: str, exit_code: int,
                   articles_written: int = 0, counts: dict | None = None, failures: dict | None = None,
                   problems: list | None = None) -> None:
        """One finished run of one source (counts by outcome, failures by kind, problem lines)."""
        self.db.execute(
            "INSERT INTO runs (source, started_at, duration_s, status, exit_code, articles_written, counts, "
            "failures, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source, started_at, duration_s, status, exit_code, articles_written,
             json.dumps(counts or {}, ensure_ascii=False, sort_keys=True),
             json.dumps(failures or {}, ensure_ascii=False, sort_keys=True),
             json.dumps(problems or [], ensure_ascii=False)),
        )

    def runs(self, since: float | None = None, source: str | None = None) -> list[dict]:
        """Recorded runs started at or after `since` (all when None), oldest first."""
        query, args = "SELECT " + ", ".join(self.RUN_FIELDS) + " FROM runs WHERE started_at >= ?", [since or 0.0]
        if source:
            query += " AND source = ?"
            args.append(source)
        rows = self.db.execute(query + " ORDER BY started_at, rowid", args).fetchall()
        runs = [dict(zip(self.RUN_FIELDS, row)) for row in rows]
        for run in runs:
            for key in ("counts", "failures", "problems"):
                run[key] = json.loads(run[key])
        return runs

    def prune_runs(self, before: float) -> int:
        """Forget runs started before `before` (the history is kept NEWSCRAWL_HISTORY_DAYS)."""
        return self.db.execute("DELETE FROM runs WHERE started_at < ?", (before,)).rowcount

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


def open_store(settings) -> StateStore:
    """The configured backend: PostgreSQL when NEWSCRAWL_STATE_URL is set, else the SQLite file."""
    timeout = settings.getfloat("NEWSCRAWL_STATE_TIMEOUT", 30.0)
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        from newscrawl.state_pg import PostgresStateStore

        return PostgresStateStore(url, timeout=timeout)
    return StateStore(state_path(settings), timeout=timeout)


def state_name(settings) -> str:
    """The state's name for messages: the SQLite file, or the database URL without its password."""
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        from newscrawl.state_pg import redacted

        return redacted(url)
    return str(state_path(settings))


def lock_source(settings, source: str) -> None:
    """The source's run lock (raises lock.AlreadyRunning): a file next to the SQLite state, or a
    PostgreSQL advisory lock that holds across every machine sharing the database."""
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        from newscrawl.state_pg import lock_source as pg_lock_source

        pg_lock_source(url, source, settings.getfloat("NEWSCRAWL_STATE_TIMEOUT", 30.0))
    else:
        from newscrawl.lock import acquire

        acquire(state_path(settings), source)


def release_source_locks() -> None:
    from newscrawl.lock import release_all

    release_all()
    if "newscrawl.state_pg" in sys.modules:
        sys.modules["newscrawl.state_pg"].release_sources()


def store_for(crawler) -> StateStore:
    """The crawl's one StateStore, shared by its spider and pipelines (one writer per process)."""
    store = getattr(crawler, "newscrawl_state", None)
    if store is None:
        store = open_store(crawler.settings)
        crawler.newscrawl_state = store
        output_dir = Path(crawler.settings.get("NEWSCRAWL_OUTPUT_DIR") or "output")
        # an empty state beside archive files: the file was lost (or is new next to an old archive)
        if store.is_empty() and any(output_dir.glob("*/*.md")):
            from newscrawl.rebuild import rebuild_from_archive

            logger.warning("state %s was missing but %s holds archive files: rebuilding it from them",
                           store.path, output_dir)
            logger.warning("state rebuilt: %d archive files recorded", rebuild_from_archive(store, output_dir))
            store.opened_at = time.time()  # rows it just recorded are not another crawl's (see claim)
    return store
