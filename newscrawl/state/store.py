"""StateStore: every query of the state, written once in SQLite's dialect, on a backend's connection.

A backend (sqlite.py, postgres.py) opens `self.db` (execute, `with` as a transaction, close) and
migrates it; the queries here run unchanged on both: articles archived (by urlname or content
fingerprint), articles pending a retry, completed columns and the run history.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ARTICLE_FIELDS = ("urlname", "url", "source", "path", "fingerprint", "published", "written_at", "kind", "etag",
                  "last_modified", "published_at", "checked_at", "revisions", "revised_at", "previous_hash",
                  "withdrawn_at", "withdrawn_reason")


def unix_time(iso: str | None) -> float | None:
    """An ISO 8601 publication time as a Unix time (None when there is none or it does not parse)."""
    try:
        return datetime.fromisoformat(str(iso)).timestamp() if iso else None
    except ValueError:
        return None


class StateStore:
    """Articles archived (by urlname or content fingerprint, both indexed) and articles pending a retry."""

    backend = "?"
    BATCH = 500  # urlnames in one IN (…) query: well under both backends' limits on parameters
    path: Path | str        # what messages name: the SQLite file, or the database URL without its password
    opened_at: float        # rows written after this are another crawl's (see claim)
    created: bool           # the store was created by this open

    def check_writable(self) -> None:
        """Raise StateError now if another process would keep this crawl from writing."""

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """One write transaction, committed at the end (rolled back on an exception). SQLite takes its
        write lock at the start (BEGIN IMMEDIATE; PostgreSQL: BEGIN), so what it reads back is as it wrote it."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            yield

    def _write_and_read(self, write: str, args: tuple, read: str, key: str):
        """`write`, then the value `read` selects for `key`, in one transaction (a counter as this write
        left it, whatever another writer does next); None when there is no row."""
        with self.transaction():
            self.db.execute(write, args)
            row = self.db.execute(read, (key,)).fetchone()
        return row[0] if row else None

    # ---- what is known ---------------------------------------------------------------------
    def has(self, urlname: str) -> bool:
        """Archived, or recorded as a repost of an archived text."""
        return self.db.execute("SELECT 1 FROM articles WHERE urlname=?", (urlname,)).fetchone() is not None

    def known(self, urlname: str, max_attempts: int) -> str | None:
        """Nothing more to fetch, and why, in one query: 'archived' (or recorded as a repost, a channel
        page, a deleted post) or 'given_up' (a failure that used up its attempts); None: to fetch."""
        row = self.db.execute(
            "SELECT 'archived' FROM articles WHERE urlname=? UNION ALL "
            "SELECT 'given_up' FROM failures WHERE urlname=? AND attempts>=?", (urlname, urlname, max_attempts),
        ).fetchone()
        return row[0] if row else None

    def urlname_with_fingerprint(self, fingerprint: str) -> str | None:
        row = self.db.execute(
            "SELECT urlname FROM articles WHERE fingerprint=? AND kind='archived' LIMIT 1", (fingerprint,)
        ).fetchone()
        return row[0] if row else None

    # ---- recording -------------------------------------------------------------------------
    def record(self, *, urlname: str, url: str, source: str, path: str, fingerprint: str, published: str | None,
               kind: str = "archived", etag: str = "", last_modified: str = "") -> None:
        """Called only after the archive file is in place, so a crash never records a missing file.

        An article recorded again (a full re-crawl) keeps its revision history; etag/last_modified are
        the validators its page was answered with, for conditional re-checks.
        """
        now = time.time()
        with self.transaction():
            self.db.execute(
                "INSERT INTO articles (urlname, url, source, path, fingerprint, published, written_at, kind, etag, "
                "last_modified, published_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(urlname) DO UPDATE SET url=excluded.url, source=excluded.source, path=excluded.path, "
                "fingerprint=excluded.fingerprint, published=excluded.published, written_at=excluded.written_at, "
                "kind=excluded.kind, etag=excluded.etag, last_modified=excluded.last_modified, "
                "published_at=excluded.published_at, checked_at=excluded.checked_at, withdrawn_at=NULL, "
                "withdrawn_reason=''",
                (urlname, url, source, path, fingerprint, published, now, kind, etag or "", last_modified or "",
                 unix_time(published), now),
            )
            self.db.execute("DELETE FROM failures WHERE urlname=?", (urlname,))

    def record_duplicate(self, *, urlname: str, url: str, source: str, fingerprint: str) -> None:
        """A repost of an archived text: known from now on, never fetched again, no file."""
        self.record_known(urlname=urlname, url=url, source=source, fingerprint=fingerprint, kind="duplicate")

    def record_known(self, *, urlname: str, url: str, source: str, kind: str, fingerprint: str = "") -> None:
        """A page known from now on that has no file (a repost, a channel page, a deleted WeChat post):
        never fetched again, no longer pending a retry. A row already there stays as it is: an article
        archived under this URL keeps its file and its record (a full re-crawl or `scrapy reextract`
        that now reads the page otherwise does not orphan the file)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO articles (urlname, url, source, path, fingerprint, published, written_at, kind) "
                "VALUES (?, ?, ?, '', ?, NULL, ?, ?) ON CONFLICT(urlname) DO NOTHING",
                (urlname, url, source, fingerprint, time.time(), kind))
            self.db.execute("DELETE FROM failures WHERE urlname=?", (urlname,))

    def record_failure(self, *, urlname: str, url: str, source: str, kind: str, reason: str = "",
                       column: str = "", cms: str = "auto", use_attempt: bool = True) -> int:
        """One more failed attempt at an article; returns the attempts so far.

        use_attempt=False records it without using up an attempt (an anti-bot wall says nothing
        about the article: it is tried again, however long the wall stands).
        """
        attempts = self._write_and_read(
            "INSERT INTO failures (urlname, url, source, column_url, cms, kind, reason, attempts, last_try) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(urlname) DO UPDATE SET "
            "kind=excluded.kind, reason=excluded.reason, attempts=failures.attempts+excluded.attempts, "
            "last_try=excluded.last_try, "
            "column_url=CASE WHEN excluded.column_url<>'' THEN excluded.column_url ELSE failures.column_url END",
            (urlname, url, source, column, cms, kind, reason[:500], 1 if use_attempt else 0, time.time()),
            "SELECT attempts FROM failures WHERE urlname=?", urlname)
        return 1 if attempts is None else attempts

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
        attempts = self._write_and_read(
            "INSERT INTO files (url, source, kind, status, path, sha256, size, type, reason, attempts, last_try) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "status=excluded.status, path=excluded.path, sha256=excluded.sha256, size=excluded.size, "
            "type=excluded.type, reason=excluded.reason, last_try=excluded.last_try, "
            "attempts=CASE WHEN excluded.status='failed' THEN files.attempts+excluded.attempts ELSE 0 END",
            (url, source, kind, status, path, sha256, int(size or 0), type, reason[:500], step, time.time()),
            "SELECT attempts FROM files WHERE url=?", url)
        return step if attempts is None else attempts

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
        with self.transaction():
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

    # ---- conditional requests: list pages' validators, robots.txt per host --------------------
    def validators(self, url: str) -> tuple[str, str] | None:
        """(ETag, Last-Modified) a list page was last answered with, or None."""
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url=?", (url,)).fetchone()
        return (row[0], row[1]) if row else None

    def save_validators(self, pages) -> None:
        """pages: (url, etag, last_modified) of list pages whose every article is recorded."""
        now = time.time()
        with self.transaction():
            for url, etag, last_modified in pages:
                self.db.execute("INSERT OR REPLACE INTO validators (url, etag, last_modified, saved_at) "
                                "VALUES (?, ?, ?, ?)", (url, etag or "", last_modified or "", now))

    def forget_validators(self, url: str) -> None:
        self.db.execute("DELETE FROM validators WHERE url=?", (url,))

    def unrecorded(self, urlnames) -> set[str]:
        """The urlnames that are neither in the archive (or recorded as reposts or gone) nor queued as failures."""
        wanted = list(dict.fromkeys(urlnames))
        found: set[str] = set()
        for start in range(0, len(wanted), self.BATCH):
            batch = wanted[start:start + self.BATCH]
            marks = ", ".join("?" * len(batch))
            found.update(r[0] for r in self.db.execute(
                f"SELECT urlname FROM articles WHERE urlname IN ({marks}) UNION "
                f"SELECT urlname FROM failures WHERE urlname IN ({marks})", batch + batch))
        return set(wanted) - found

    def robots(self, host: str) -> dict | None:
        row = self.db.execute("SELECT status, body, etag, last_modified, fetched_at FROM robots WHERE host=?",
                              (host,)).fetchone()
        if row is None:
            return None
        return {"status": row[0], "body": bytes(row[1]), "etag": row[2], "last_modified": row[3],
                "fetched_at": row[4]}

    def save_robots(self, host: str, status: int, body: bytes, etag: str = "", last_modified: str = "",
                    fetched_at: float | None = None) -> None:
        self.db.execute("INSERT OR REPLACE INTO robots (host, status, body, etag, last_modified, fetched_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (host, status, bytes(body), etag or "", last_modified or "",
                                                      time.time() if fetched_at is None else fetched_at))

    def touch_robots(self, host: str, fetched_at: float | None = None) -> None:
        """A 304: the cached robots.txt is current again."""
        self.db.execute("UPDATE robots SET fetched_at=? WHERE host=?",
                        (time.time() if fetched_at is None else fetched_at, host))

    # ---- re-checks, revisions, withdrawn articles ---------------------------------------------
    def article(self, urlname: str) -> dict | None:
        row = self.db.execute("SELECT " + ", ".join(ARTICLE_FIELDS) + " FROM articles WHERE urlname=?",
                              (urlname,)).fetchone()
        return dict(zip(ARTICLE_FIELDS, row)) if row else None

    def recheck_candidates(self, source: str, stages: list[float] | None, now: float | None = None,
                           limit: int | None = None) -> list[dict]:
        """Archived articles of a source due for a re-check, newest first.

        stages: ages after publication (seconds) at which each article is looked at again once; an
        article is due when it passed a stage since it was last checked (or archived). None: every
        archived article that was not withdrawn (`-a recheck=1`).
        """
        now = time.time() if now is None else now
        self._fill_published_at(source)
        query = ("SELECT urlname, url, path, etag, last_modified FROM articles "
                 "WHERE source=? AND kind='archived' AND withdrawn_at IS NULL")
        args: list = [source]
        if stages is not None:
            if not stages:
                return []
            due = " OR ".join("(published_at + ? <= ? AND COALESCE(checked_at, written_at) < published_at + ?)"
                              for _ in stages)
            query += f" AND published_at IS NOT NULL AND ({due})"
            for stage in stages:
                args += [stage, now, stage]
        query += " ORDER BY published_at DESC, urlname"
        if limit:
            query += " LIMIT ?"
            args.append(int(limit))
        rows = self.db.execute(query, args).fetchall()
        return [dict(zip(("urlname", "url", "path", "etag", "last_modified"), r)) for r in rows]

    def _fill_published_at(self, source: str) -> None:
        # rows archived before schema 6 have the publication time only as text
        rows = self.db.execute("SELECT urlname, published, written_at FROM articles WHERE source=? AND "
                               "kind='archived' AND published_at IS NULL", (source,)).fetchall()
        if not rows:
            return
        with self.transaction():
            for name, published, written_at in rows:
                self.db.execute("UPDATE articles SET published_at=? WHERE urlname=?",
                                (unix_time(published) or written_at, name))

    def mark_checked(self, urlname: str, etag: str | None = None, last_modified: str | None = None,
                     when: float | None = None) -> None:
        """Re-checked and unchanged (a 304, or the same text): its next check comes at the next stage."""
        when = time.time() if when is None else when
        if etag is None and last_modified is None:
            self.db.execute("UPDATE articles SET checked_at=? WHERE urlname=?", (when, urlname))
        else:
            self.db.execute("UPDATE articles SET checked_at=?, etag=?, last_modified=? WHERE urlname=?",
                            (when, etag or "", last_modified or "", urlname))

    def record_revision(self, urlname: str, *, fingerprint: str, previous_hash: str, etag: str = "",
                        last_modified: str = "", when: float | None = None) -> int:
        """The site changed an archived article and its file was rewritten; returns its revision count."""
        when = time.time() if when is None else when
        revisions = self._write_and_read(
            "UPDATE articles SET revisions=revisions+1, revised_at=?, previous_hash=?, fingerprint=?, "
            "checked_at=?, etag=?, last_modified=?, withdrawn_at=NULL, withdrawn_reason='' WHERE urlname=?",
            (when, previous_hash, fingerprint, when, etag or "", last_modified or "", urlname),
            "SELECT revisions FROM articles WHERE urlname=?", urlname)
        return revisions or 0

    def mark_withdrawn(self, urlname: str, reason: str, when: float | None = None) -> None:
        """The site took the article down: recorded, its file kept, never checked again."""
        when = time.time() if when is None else when
        self.db.execute("UPDATE articles SET withdrawn_at=?, withdrawn_reason=?, checked_at=? WHERE urlname=?",
                        (when, reason[:200], when, urlname))

    def changes(self, since: float, limit: int = 200) -> list[dict]:
        """Articles revised or withdrawn since `since`, most recent first (for the health page)."""
        rows = self.db.execute(
            "SELECT source, url, revisions, revised_at, withdrawn_at, withdrawn_reason FROM articles "
            "WHERE revised_at >= ? OR withdrawn_at >= ? "
            "ORDER BY COALESCE(withdrawn_at, revised_at) DESC LIMIT ?", (since, since, limit)).fetchall()
        return [dict(zip(("source", "url", "revisions", "revised_at", "withdrawn_at", "withdrawn_reason"), r))
                for r in rows]

    # ---- the CMS's own list feeds ---------------------------------------------------------------
    def feed(self, column: str) -> dict | None:
        row = self.db.execute("SELECT kind, endpoint, params, reason, checked_at FROM feeds WHERE column_url=?",
                              (column,)).fetchone()
        if row is None:
            return None
        return {"kind": row[0], "endpoint": row[1], "params": json.loads(row[2] or "{}"), "reason": row[3],
                "checked_at": row[4]}

    def save_feed(self, column: str, kind: str, endpoint: str = "", params: dict | None = None,
                  reason: str = "") -> None:
        """kind 'webplus_api' / 'vsb_rss' with how to ask it, or 'none' with why not."""
        self.db.execute("INSERT OR REPLACE INTO feeds (column_url, kind, endpoint, params, reason, checked_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (column, kind, endpoint, json.dumps(params or {}, sort_keys=True), reason[:300], time.time()))

