"""The state store on PostgreSQL (NEWSCRAWL_STATE_URL=postgresql://…), shared by crawls on many machines.

Same schema, same migrations, same queries as the SQLite store: PostgresStateStore is a StateStore
whose connection speaks PostgreSQL. The queries are written once, in store.py, in SQLite's dialect;
the few places where the dialects differ are translated here, in one seam:

- placeholders: `?` -> `%s`;
- `BEGIN IMMEDIATE` (SQLite's write lock) -> `BEGIN` (PostgreSQL locks rows as it writes them);
- `INSERT OR REPLACE INTO t (…)` -> `INSERT … ON CONFLICT (primary key) DO UPDATE`, every other column
  back to its default, as SQLite's delete-and-insert leaves it;
- in migrations: `REAL` -> `DOUBLE PRECISION` (PostgreSQL's REAL is 4 bytes: a Unix time would lose
  minutes), `INTEGER PRIMARY KEY AUTOINCREMENT` -> `BIGSERIAL PRIMARY KEY`, `BLOB` -> `BYTEA`;
- the schema version lives in a table (SQLite keeps it in PRAGMA user_version).

Several processes at once: migrations take a transaction-scoped advisory lock; a crawl's per-source
run lock and its claim on an article being written are session-scoped advisory locks, which the
server drops when the process or its connection dies, so nothing stale ever blocks a later crawl.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time

from newscrawl.state.errors import AlreadyRunning, StateError
from newscrawl.state.redact import redacted
from newscrawl.state.schema import MIGRATIONS, SCHEMA_VERSION
from newscrawl.state.store import StateStore

logger = logging.getLogger(__name__)

# advisory lock namespaces (the first of the two int4 keys): one per kind of thing locked
LOCK_SCHEMA, LOCK_SOURCE, LOCK_ARTICLE = 0x6E630001, 0x6E630002, 0x6E630003
INSERT_OR_REPLACE_RE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.I)
DDL_TYPES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
]


def lock_key(text: str) -> int:
    """A stable signed 32-bit key for a name (advisory locks take int4 pairs)."""
    return int.from_bytes(hashlib.md5(text.encode("utf-8")).digest()[:4], "big", signed=True)


def postgres_ddl(statement: str) -> str:
    for pattern, replacement in DDL_TYPES:
        statement = pattern.sub(replacement, statement)
    return statement


def connect(url: str, timeout: float):
    """An autocommit connection (transactions are begun explicitly, as on SQLite), or one clear StateError."""
    try:
        import psycopg
    except ImportError:
        raise StateError("NEWSCRAWL_STATE_URL is a PostgreSQL URL but psycopg is not installed: "
                         "pip install 'newscrawl[postgres]'") from None
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        # a lock or a busy server waits at most as long as SQLite's busy timeout would
        conn.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        return conn
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StateError(f"state database {redacted(url)}: cannot connect ({redacted(url, first)})") from None


def has_state(url: str, timeout: float) -> bool:
    """Does this database hold a newscrawl state (for commands that only read it, and create nothing)?"""
    conn = connect(url, timeout)
    try:
        return conn.execute("SELECT to_regclass('newscrawl_schema')").fetchone()[0] is not None
    finally:
        conn.close()


class PostgresConnection:
    """What StateStore asks of sqlite3.Connection (execute, `with` as a transaction, close), on psycopg."""

    def __init__(self, conn):
        self.conn = conn
        self.columns: dict[str, list[str]] = {}
        self.keys: dict[str, list[str]] = {}
        self._translated: dict[str, str] = {}

    def load_tables(self) -> None:
        """Columns and primary keys of the store's tables, for translating INSERT OR REPLACE."""
        self.columns, self.keys = {}, {}
        for table, column in self.conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
            self.columns.setdefault(table, []).append(column)
        for table, column in self.conn.execute(
                "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
                "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
                "AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name "
                "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
                "ORDER BY kcu.ordinal_position"):
            self.keys.setdefault(table, []).append(column)
        self._translated.clear()

    def translate(self, sql: str) -> str:
        done = self._translated.get(sql)
        if done is not None:
            return done
        out = sql
        if out.strip().upper() == "BEGIN IMMEDIATE":
            out = "BEGIN"
        match = INSERT_OR_REPLACE_RE.match(out)
        if match:
            table = match.group(1)
            given = [c.strip() for c in match.group(2).split(",")]
            keys = self.keys.get(table)
            if not keys:
                raise StateError(f"INSERT OR REPLACE into {table}: the table has no primary key in PostgreSQL")
            updates = [f"{c} = EXCLUDED.{c}" for c in given if c not in keys]
            updates += [f"{c} = DEFAULT" for c in self.columns.get(table, []) if c not in given and c not in keys]
            out = (f"INSERT INTO {table} ({', '.join(given)})" + out[match.end():] +
                   f" ON CONFLICT ({', '.join(keys)}) " + (f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"))
        out = out.replace("%", "%%").replace("?", "%s")
        self._translated[sql] = out
        return out

    def execute(self, sql: str, params=()):
        return self.conn.execute(self.translate(sql), tuple(params))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from psycopg.pq import TransactionStatus

        if self.conn.info.transaction_status != TransactionStatus.IDLE:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False

    def close(self) -> None:
        self.conn.close()


class PostgresStateStore(StateStore):
    """The state store in a PostgreSQL database; every StateStore query works unchanged."""

    backend = "postgresql"

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url
        self.path = redacted(url)  # what messages name
        self.opened_at = time.time()
        self.created = False
        self._claimed: set[str] = set()
        self.db = PostgresConnection(connect(url, timeout))
        try:
            self._migrate()
            self.db.load_tables()
        except StateError:
            self.db.close()
            raise
        except Exception as exc:
            self.db.close()
            raise StateError(redacted(url, f"state database {self.path}: {type(exc).__name__}: {exc}".splitlines()[0])) from None

    def _migrate(self) -> None:
        conn = self.db.conn
        while True:
            with conn.transaction():
                # one migrator at a time, however many crawls start together
                conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (LOCK_SCHEMA,))
                conn.execute("CREATE TABLE IF NOT EXISTS newscrawl_schema (version INTEGER NOT NULL)")
                row = conn.execute("SELECT version FROM newscrawl_schema").fetchone()
                if row is None:
                    conn.execute("INSERT INTO newscrawl_schema (version) VALUES (0)")
                    self.created = True
                version = row[0] if row else 0
                if version > SCHEMA_VERSION:
                    raise StateError(f"state database {self.path} has schema {version}, "
                                     f"newer than this newscrawl ({SCHEMA_VERSION})")
                if version == SCHEMA_VERSION:
                    return
                target = version + 1
                for statement in MIGRATIONS[target]:
                    conn.execute(postgres_ddl(statement))
                conn.execute("UPDATE newscrawl_schema SET version = %s", (target,))
            logger.info("state %s migrated to schema %d", self.path, target)

    def schema_version(self) -> int:
        return self.db.conn.execute("SELECT version FROM newscrawl_schema").fetchone()[0]

    # ---- several writers -------------------------------------------------------------------
    def claim(self, urlname: str) -> bool:
        """Hold urlname while this process writes it; False if another crawl is writing it right now,
        or archived it after this store was opened (it fetched the same article at the same time)."""
        if urlname in self._claimed:
            return True
        got = self.db.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_ARTICLE, lock_key(urlname))).fetchone()[0]
        if not got:
            return False
        if not super().claim(urlname):
            self.release(urlname, force=True)
            return False
        self._claimed.add(urlname)
        return True

    def release(self, urlname: str, force: bool = False) -> None:
        if urlname in self._claimed or force:
            self._claimed.discard(urlname)
            self.db.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_ARTICLE, lock_key(urlname)))

    def check_writable(self) -> None:
        """PostgreSQL locks rows, not the database: nothing holds a crawl back at the start."""

    def close(self) -> None:
        try:
            self.db.close()
        except Exception:
            pass


_lock_connections: dict[str, object] = {}  # url -> the connection holding this process's source locks
_held_sources: set[tuple[str, str]] = set()


def lock_source(url: str, source: str, timeout: float = 30.0) -> None:
    """The source's run lock across every machine sharing the database (no-op if this process holds it).

    A session advisory lock on one connection kept for the process's life: the server releases it
    when the process exits or dies, so a killed crawl never leaves a stale lock behind.
    """
    if (url, source) in _held_sources:
        return
    conn = _lock_connections.get(url)
    if conn is None or conn.closed:
        conn = _lock_connections[url] = connect(url, timeout)
    got = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SOURCE, lock_key(source))).fetchone()[0]
    if not got:
        raise AlreadyRunning(f"{source} is already being crawled (another process holds its lock in {redacted(url)})")
    _held_sources.add((url, source))


def release_sources() -> None:
    for conn in _lock_connections.values():
        try:
            # before closing: the server drops a closed session's locks only when its backend has
            # exited, a moment later, and a crawl starting in that moment would find them held
            conn.execute("SELECT pg_advisory_unlock_all()")
        except Exception:
            pass
        try:
            conn.close()
        except Exception:
            pass
    _lock_connections.clear()
    _held_sources.clear()
