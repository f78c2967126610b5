"""The crawl's state: articles archived, failed and pending, completed columns, run history, run locks.

One package, no cycle: `schema` (tables and migrations, shared by both backends), `store`
(StateStore: every query, written once), the backends `sqlite` (one file) and `postgres` (shared by
many machines), `locks` (per-source run locks) and `history` (run rows for `scrapy report`). This
module picks the backend from the settings and gives a crawl its one store.
"""

from __future__ import annotations

import logging
import time

from newscrawl.state.errors import AlreadyRunning, StateError
from newscrawl.state.locks import lock_source, release_source_locks
from newscrawl.state.postgres import PostgresStateStore, has_state
from newscrawl.state.redact import redacted
from newscrawl.state.schema import MIGRATIONS, SCHEMA_VERSION
from newscrawl.state.sqlite import STATE_FILE_NAME, SqliteStateStore, state_path
from newscrawl.state.store import StateStore
from newscrawl.paths import files_dir, output_folder

logger = logging.getLogger("newscrawl.state")

__all__ = ["AlreadyRunning", "MIGRATIONS", "PostgresStateStore", "SCHEMA_VERSION", "STATE_FILE_NAME",
           "SqliteStateStore", "StateError", "StateStore", "lock_source", "open_store", "release_source_locks",
           "state_name", "state_path", "store_for"]


def open_store(settings, create: bool = True) -> StateStore:
    """The configured backend: PostgreSQL when NEWSCRAWL_STATE_URL is set, else the SQLite file.

    create=False (commands that read the state): a state that does not exist is a StateError saying
    so, and nothing is created, not even a folder: a mistyped NEWSCRAWL_OUTPUT_DIR is not an empty state.
    """
    timeout = settings.getfloat("NEWSCRAWL_STATE_TIMEOUT")
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        if not create and not has_state(url, timeout):
            raise StateError(f"no state in database {redacted(url)}: nothing was crawled with it yet")
        return PostgresStateStore(url, timeout=timeout)
    path = state_path(settings)
    if not create and not path.exists():
        raise StateError(f"no state at {path}: nothing was crawled there (check NEWSCRAWL_OUTPUT_DIR"
                         f"{' and NEWSCRAWL_STATE_PATH' if settings.get('NEWSCRAWL_STATE_PATH') else ''})")
    return SqliteStateStore(path, timeout=timeout)


def state_name(settings) -> str:
    """The state's name for messages: the SQLite file, or the database URL without its password."""
    url = settings.get("NEWSCRAWL_STATE_URL")
    if url:
        return redacted(url)
    return str(state_path(settings))


def store_for(crawler) -> StateStore:
    """The crawl's one StateStore, shared by its spider and pipelines (one writer per process)."""
    store = getattr(crawler, "newscrawl_state", None)
    if store is None:
        store = open_store(crawler.settings)
        crawler.newscrawl_state = store
        output_dir = output_folder(crawler.settings)
        # an empty state beside archive files: the file was lost (or is new next to an old archive)
        if store.is_empty() and any(output_dir.glob("*/*.md")):
            from newscrawl.rebuild import rebuild_from_archive

            logger.warning("state %s was missing but %s holds archive files: rebuilding it from them",
                           store.path, output_dir)
            logger.warning("state rebuilt: %d archive files recorded", rebuild_from_archive(store, output_dir, files_dir(crawler.settings)))
            store.opened_at = time.time()  # rows it just recorded are not another crawl's (see claim)
    return store
