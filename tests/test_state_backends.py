"""The state store's one interface on both backends: SQLite (a file) and PostgreSQL (a real server)."""

import pytest

from newscrawl.state import (
    SCHEMA_VERSION, AlreadyRunning, PostgresStateStore, SqliteStateStore, StateError, lock_source, open_store,
    release_source_locks,
)
from newscrawl.state.postgres import postgres_ddl, redacted
from scrapy.settings import Settings

import newscrawl.settings as project_settings


def settings_for(**values):
    settings = Settings()
    settings.setmodule(project_settings)
    settings.setdict(values)
    return settings


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """Settings that select one backend, and a function opening a new store (a new connection) on them."""
    if request.param == "sqlite":
        settings = settings_for(NEWSCRAWL_STATE_PATH=str(tmp_path / "state.sqlite3"))
    else:
        settings = settings_for(NEWSCRAWL_STATE_URL=request.getfixturevalue("postgres_url"))
    opened = []

    def open_new():
        opened.append(open_store(settings))
        return opened[-1]

    open_new.settings = settings
    open_new.name = request.param
    yield open_new
    for store in opened:
        store.close()
    release_source_locks()


def record(store, n, source="cumt", fingerprint=None, path=None):
    store.record(urlname=f"u{n}", url=f"http://a.edu.cn/{n}.htm", source=source, path=path or f"{source}/u{n}.md",
                 fingerprint=fingerprint or f"f{n}", published="2025-01-02")


def test_backend_is_chosen_by_the_settings(backend):
    store = backend()
    assert store.backend == backend.name
    assert isinstance(store, PostgresStateStore) == (backend.name == "postgresql")


def test_articles_are_recorded_and_found_across_connections(backend):
    first = backend()
    record(first, 1)
    record(first, 2, source="nju")
    first.record_duplicate(urlname="u3", url="http://a.edu.cn/3.htm", source="cumt", fingerprint="f1")
    again = backend()
    assert again.has("u1") and again.has("u3") and not again.has("u9")
    assert again.urlname_with_fingerprint("f1") == "u1"  # the archived one, not the repost
    assert again.urlname_with_fingerprint("nope") is None
    assert again.count() == 2 and again.count("cumt") == 1
    assert again.sources() == [("cumt", 1), ("nju", 1)]
    record(again, 1, fingerprint="f1b")  # recorded again: replaced, not doubled
    assert first.count() == 2 and first.urlname_with_fingerprint("f1b") == "u1"


def test_failures_are_pending_until_their_attempts_are_used_up(backend):
    store = backend()
    for attempt in (1, 2):
        got = store.record_failure(urlname="u5", url="http://a.edu.cn/5.htm", source="cumt", kind="timeout",
                                   reason="took too long", column="http://a.edu.cn/list.htm")
        assert got == attempt
    assert [p["urlname"] for p in store.pending("cumt", 3)] == ["u5"]
    assert store.column_has_pending("http://a.edu.cn/list.htm", 3)
    assert not store.known("u5", 3)
    store.record_failure(urlname="u5", url="http://a.edu.cn/5.htm", source="cumt", kind="http_5xx")
    assert store.known("u5", 3) and store.pending("cumt", 3) == []
    failure = backend().failures("cumt")[0]
    assert (failure["kind"], failure["attempts"], failure["column"]) == ("http_5xx", 3, "http://a.edu.cn/list.htm")
    record(store, 5)  # archived at last: no longer a failure
    assert store.failures() == [] and store.known("u5", 3)


def test_columns_complete(backend):
    store = backend()
    assert not store.column_complete("http://a.edu.cn/list.htm")
    store.mark_column_complete("http://a.edu.cn/list.htm")
    store.mark_column_complete("http://a.edu.cn/list.htm")
    assert backend().column_complete("http://a.edu.cn/list.htm")


def test_prune_forgets_missing_files_and_queues_a_refetch(backend, tmp_path):
    store = backend()
    (tmp_path / "cumt").mkdir()
    (tmp_path / "cumt" / "u1.md").write_text("x")
    record(store, 1)
    record(store, 2)
    assert store.missing_files(tmp_path) == ["u2"]
    assert store.forget(["u2", "nothing"]) == 1
    assert not store.has("u2") and [p["urlname"] for p in store.pending("cumt", 3)] == ["u2"]
    assert store.failures()[0]["kind"] == "pruned"


def test_a_claim_keeps_a_second_writer_off_an_article(backend):
    mine, theirs = backend(), backend()
    assert mine.claim("u1")
    if backend.name == "postgresql":  # another machine: refused while the first one writes it
        assert not theirs.claim("u1")
    record(mine, 1)
    mine.release("u1")
    # it was fetched by both at once; the second must not write it again
    assert not theirs.claim("u1")
    assert backend().claim("u1")  # a crawl that starts later (a full re-crawl) may rewrite it


def test_source_lock_is_exclusive_until_its_holder_lets_go(backend):
    lock_source(backend.settings, "cumt")
    lock_source(backend.settings, "cumt")  # the holder may take it again
    if backend.name == "postgresql":
        from newscrawl.state.postgres import connect, lock_key, LOCK_SOURCE
        other = connect(backend.settings.get("NEWSCRAWL_STATE_URL"), 5)
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SOURCE, lock_key("cumt"))).fetchone()[0] is False
        release_source_locks()
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SOURCE, lock_key("cumt"))).fetchone()[0] is True
        with pytest.raises(AlreadyRunning, match="cumt is already being crawled"):
            lock_source(backend.settings, "cumt")
        other.close()


def test_schema_version_and_newer_schema_refused(backend):
    store = backend()
    if backend.name == "postgresql":
        assert store.schema_version() == SCHEMA_VERSION
        store.db.conn.execute("UPDATE newscrawl_schema SET version = %s", (SCHEMA_VERSION + 1,))
    else:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        store.db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StateError, match="newer than this newscrawl"):
        backend()


def test_postgres_migrates_an_old_schema_step_by_step(postgres_url):
    import psycopg

    from newscrawl.state import MIGRATIONS

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE newscrawl_schema (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO newscrawl_schema VALUES (1)")
        for statement in MIGRATIONS[1]:
            conn.execute(postgres_ddl(statement))
        conn.execute("INSERT INTO articles VALUES ('u1', 'http://a/1', 'cumt', 'cumt/u1.md', 'f1', NULL, 1.5)")
    store = PostgresStateStore(postgres_url)
    assert store.schema_version() == SCHEMA_VERSION and store.has("u1") and store.count() == 1
    written_at = store.db.conn.execute("SELECT written_at FROM articles").fetchone()[0]
    assert written_at == 1.5
    store.close()


def test_postgres_keeps_full_unix_times(postgres_url):
    store = PostgresStateStore(postgres_url)
    record(store, 1)
    written_at = store.db.conn.execute("SELECT written_at FROM articles").fetchone()[0]
    assert abs(written_at - store.opened_at) < 60  # PostgreSQL's 4-byte REAL would be minutes off
    store.close()


def test_unreachable_postgres_is_one_clear_line(tmp_path):
    url = f"postgresql://crawler:secret@/newscrawl?host={tmp_path}"
    with pytest.raises(StateError) as raised:
        open_store(settings_for(NEWSCRAWL_STATE_URL=url))
    message = str(raised.value)
    assert message.startswith("state database postgresql://crawler:***@/newscrawl") and "cannot connect" in message
    assert "secret" not in message and "\n" not in message


def test_redacted():
    assert redacted("postgresql://u:pw@db.example:5432/x") == "postgresql://u:***@db.example:5432/x"
    assert redacted("postgresql:///x?host=/tmp") == "postgresql:///x?host=/tmp"


def test_sqlite_store_is_still_the_default(tmp_path):
    store = open_store(settings_for(NEWSCRAWL_OUTPUT_DIR=str(tmp_path)))
    assert type(store) is SqliteStateStore and store.path == tmp_path / ".newscrawl-state.sqlite3"
    store.close()


def test_files_are_recorded_retried_and_linked_on_both_backends(backend):
    store = backend()
    record(store, 1)
    record(store, 2)
    url = "http://a.edu.cn/_upload/article/files/x.pdf"
    for attempt in (1, 2):
        got = store.record_file(url=url, source="cumt", kind="attachment", status="failed", reason="HTTP 404",
                                use_attempt=True)
        assert got == attempt
    assert store.record_file(url=url, source="cumt", kind="attachment", status="failed", reason="412",
                             use_attempt=False) == 2  # an anti-bot wall uses no attempt
    for urlname in ("u1", "u2", "u2"):
        store.link_file(url, urlname)  # linked twice by one article: one row
    again = backend()
    assert [f["url"] for f in again.files_pending("cumt", 3)] == [url] and again.files_pending("cumt", 2) == []
    assert [(a["urlname"], a["path"], a["url"]) for a in again.articles_linking(url)] == [
        ("u1", "cumt/u1.md", "http://a.edu.cn/1.htm"), ("u2", "cumt/u2.md", "http://a.edu.cn/2.htm")]
    store.record_file(url=url, source="cumt", kind="attachment", status="failed", reason="HTTP 404", use_attempt=True)
    assert again.files_pending("cumt", 3) == [] and again.retry_given_up_files() == 1
    assert again.file(url)["attempts"] == 0
    sha = "ab" * 32
    store.record_file(url=url, source="cumt", kind="attachment", status="kept", path=f"ab/{sha}.pdf", sha256=sha,
                      size=3_000_000_000, type="application/pdf")  # sizes past 2 GB fit
    kept = backend().file(url)
    assert (kept["status"], kept["size"], kept["attempts"], kept["path"]) == ("kept", 3_000_000_000, 0, f"ab/{sha}.pdf")
    store.record_file(url="http://a.edu.cn/big.zip", source="cumt", kind="attachment", status="too_large", size=9)
    assert store.file_counts() == {"kept": 1, "too_large": 1} and store.file_counts("nju") == {}
