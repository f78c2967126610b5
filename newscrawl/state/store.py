"""StateStore: every query of the state, written once in SQLite's dialect, on a backend's connection.

A backend (sqlite.py, postgres.py) opens `self.db` (execute, `with` as a transaction, close) and
migrates it; the queries here run unchanged on both: articles archived (by urlname or content
fingerprint), articles pending a retry, completed columns and the run history.
"""

from __future__ import annotations

import json
import time
from pathlib import Path


class StateStore:
    """Articles archived (by urlname or content fingerprint, both indexed) and articles pending a retry."""

    backend = "?"
    path: Path | str        # what messages name: the SQLite file, or the database URL without its password
    opened_at: float        # rows written after this are another crawl's (see claim)
    created: bool           # the store was created by this open

    def check_writable(self) -> None:
        """Raise StateError now if another process would keep this crawl from writing."""

    def close(self) -> None:
        self.db.close()

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

    def retry_given_up_files(self, source: str | None = None) -> int:
        """Give every failed file its attempts back."""
        query = "UPDATE files SET attempts=0 WHERE status='failed'"
        return self.db.execute(query + (" AND source=?" if source else ""), (source,) if source else ()).rowcount

    def column_has_pending(self, column: str, max_attempts: int) -> bool:
        return self.db.execute("SELECT 1 FROM failures WHERE column_url=? AND attempts<? LIMIT 1",
                               (column, max_attempts)).fetchone() is not None

    # ---- files kept with the articles (NEWSCRAWL_FILES) ------------------------------------
    FILE_FIELDS = ("url", "source", "kind", "status", "path", "sha256", "size", "type", "reason", "attempts")

    def file(self, url: str) -> dict | None:
        """What is known of a file URL: kept (and where), failed (attempts so far), too large, offsite."""
        row = self.db.execute("SELECT " + ", ".join(self.FILE_FIELDS) + " FROM files WHERE url=?", (url,)).fetchone()
        return dict(zip(self.FILE_FIELDS, row)) if row else None

    def record_file(self, *, url: str, source: str, kind: str, status: str, path: str = "", sha256: str = "",
                    size: int = 0, type: str = "", reason: str = "", use_attempt: bool = False) -> int:
        """A file's outcome (kept, failed, too_large, offsite); returns its failed attempts so far.

        Kept resets the attempts; a failure adds one when use_attempt (an anti-bot wall does not).
        """
        step = 1 if use_attempt else 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO files (url, source, kind, status, path, sha256, size, type, reason, attempts, last_try) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "status=excluded.status, path=excluded.path, sha256=excluded.sha256, size=excluded.size, "
                "type=excluded.type, reason=excluded.reason, last_try=excluded.last_try, "
                "attempts=CASE WHEN excluded.status='failed' THEN files.attempts+excluded.attempts ELSE 0 END",
                (url, source, kind, status, path, sha256, int(size or 0), type, reason[:500], step, time.time()),
            )
            row = self.db.execute("SELECT attempts FROM files WHERE url=?", (url,)).fetchone()
        return row[0] if row else step

    def link_file(self, url: str, urlname: str) -> None:
        """urlname's article links the file at url (kept or not)."""
        self.db.execute("INSERT INTO file_links (url, urlname) VALUES (?, ?) ON CONFLICT DO NOTHING", (url, urlname))

    def files_pending(self, source: str, max_attempts: int) -> list[dict]:
        """Failed files of a source that still have attempts left, oldest try first."""
        rows = self.db.execute("SELECT " + ", ".join(self.FILE_FIELDS) + " FROM files WHERE source=? "
                               "AND status='failed' AND attempts<? ORDER BY last_try", (source, max_attempts)).fetchall()
        return [dict(zip(self.FILE_FIELDS, r)) for r in rows]

    def articles_linking(self, url: str) -> list[dict]:
        """The archived articles (urlname, url, path, source) that link the file at url."""
        rows = self.db.execute(
            "SELECT a.urlname, a.url, a.path, a.source FROM file_links l JOIN articles a ON a.urlname = l.urlname "
            "WHERE l.url=? AND a.kind='archived' ORDER BY a.urlname", (url,)).fetchall()
        return [dict(zip(("urlname", "url", "path", "source"), r)) for r in rows]

    def file_counts(self, source: str | None = None) -> dict[str, int]:
        """Files by status (kept, failed, too_large, offsite)."""
        query = "SELECT status, COUNT(*) FROM files" + (" WHERE source=?" if source else "") + " GROUP BY status"
        return dict(self.db.execute(query, (source,) if source else ()).fetchall())

    # ---- several writers (PostgreSQL adds a lock across machines: postgres.py) -------------
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
