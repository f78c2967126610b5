"""The state's part in conditional requests, cached robots.txt, re-checks, revisions and feeds: both backends."""

import sqlite3

from newscrawl.state import SqliteStateStore
from test_state_backends import backend, record  # noqa: F401  (the parametrised backend fixture)

DAY = 86400.0


def test_list_page_validators_are_saved_and_read_back(backend):
    store = backend()
    assert store.validators("http://a.edu.cn/xw/list.htm") is None
    store.save_validators([("http://a.edu.cn/xw/list.htm", '"abc"', "Wed, 01 Jan 2025 00:00:00 GMT"),
                           ("http://a.edu.cn/tz/list.htm", "", "Thu, 02 Jan 2025 00:00:00 GMT")])
    store.save_validators([("http://a.edu.cn/xw/list.htm", '"def"', "")])  # replaced, not doubled
    again = backend()
    assert again.validators("http://a.edu.cn/xw/list.htm") == ('"def"', "")
    assert again.validators("http://a.edu.cn/tz/list.htm") == ("", "Thu, 02 Jan 2025 00:00:00 GMT")
    again.forget_validators("http://a.edu.cn/tz/list.htm")
    assert store.validators("http://a.edu.cn/tz/list.htm") is None


def test_unrecorded_names_the_links_neither_archived_nor_queued(backend):
    store = backend()
    record(store, 1)
    store.record_failure(urlname="u2", url="http://a.edu.cn/2.htm", source="cumt", kind="timeout")
    names = ["u1", "u2", "u3"] + [f"x{i}" for i in range(1200)]  # more than one batch
    assert store.unrecorded(names) == {"u3"} | {f"x{i}" for i in range(1200)}
    assert store.unrecorded([]) == set()


def test_robots_txt_bodies_are_kept_byte_for_byte(backend):
    store = backend()
    body = b"\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n\x00\xff"
    store.save_robots("news.a.edu.cn:8080", 200, body, etag='"r1"', last_modified="", fetched_at=1000.0)
    row = backend().robots("news.a.edu.cn:8080")
    assert row == {"status": 200, "body": body, "etag": '"r1"', "last_modified": "", "fetched_at": 1000.0}
    store.touch_robots("news.a.edu.cn:8080", fetched_at=2000.0)
    assert backend().robots("news.a.edu.cn:8080")["fetched_at"] == 2000.0
    assert store.robots("other.edu.cn") is None


def _archive(store, n, published, etag=""):
    store.record(urlname=f"u{n}", url=f"http://a.edu.cn/{n}.htm", source="cumt", path=f"cumt/u{n}.md",
                 fingerprint=f"f{n}", published=published, etag=etag, last_modified="")


def test_recheck_schedule_counts_from_publication(backend):
    store = backend()
    now = store.opened_at
    _archive(store, 1, "2025-01-01T00:00:00+08:00", etag='"e1"')   # long ago: archived after its last stage
    _archive(store, 2, "2025-01-02T00:00:00+08:00")
    stages = [DAY, 7 * DAY, 30 * DAY]
    assert store.recheck_candidates("cumt", stages, now=now + 60) == []   # archived after every stage
    # an article archived an hour after publication is due a day later, then a week later, then never
    db = store.db
    db.execute("UPDATE articles SET published_at=?, checked_at=? WHERE urlname='u2'", (now - 3600, now))
    assert store.recheck_candidates("cumt", stages, now=now + 3600) == []
    due = store.recheck_candidates("cumt", stages, now=now + DAY)
    assert [(r["urlname"], r["url"], r["path"]) for r in due] == [("u2", "http://a.edu.cn/2.htm", "cumt/u2.md")]
    store.mark_checked("u2", when=now + DAY)
    assert store.recheck_candidates("cumt", stages, now=now + 2 * DAY) == []
    assert [r["urlname"] for r in store.recheck_candidates("cumt", stages, now=now + 7 * DAY)] == ["u2"]
    store.mark_checked("u2", etag='"e2"', last_modified="Mon", when=now + 40 * DAY)  # past the last stage
    assert store.recheck_candidates("cumt", stages, now=now + 400 * DAY) == []
    assert backend().article("u2")["etag"] == '"e2"'
    # -a recheck=1: every archived article, newest first, with its validators
    every = store.recheck_candidates("cumt", None, now=now)
    assert [(r["urlname"], r["etag"]) for r in every] == [("u2", '"e2"'), ("u1", '"e1"')]
    assert len(store.recheck_candidates("cumt", None, limit=1)) == 1
    assert store.recheck_candidates("nju", None) == []


def test_revisions_and_withdrawals_are_recorded_and_survive_a_rerecord(backend):
    store = backend()
    _archive(store, 1, "2025-01-01T00:00:00+08:00")
    assert store.record_revision("u1", fingerprint="f1b", previous_hash="old-md5", etag='"x"', when=5000.0) == 1
    assert store.record_revision("u1", fingerprint="f1c", previous_hash="f1b-md5", when=6000.0) == 2
    row = backend().article("u1")
    assert (row["revisions"], row["revised_at"], row["previous_hash"], row["fingerprint"]) == (2, 6000.0, "f1b-md5", "f1c")
    _archive(store, 1, "2025-01-01T00:00:00+08:00")  # a full re-crawl records it again: its history stays
    assert backend().article("u1")["revisions"] == 2
    _archive(store, 2, "2025-01-01T00:00:00+08:00")
    store.mark_withdrawn("u2", "HTTP 404", when=7000.0)
    row = backend().article("u2")
    assert (row["withdrawn_at"], row["withdrawn_reason"], row["kind"]) == (7000.0, "HTTP 404", "archived")
    assert store.count("cumt") == 2 and store.has("u2")  # withdrawn: still archived, never deleted
    assert [r["urlname"] for r in store.recheck_candidates("cumt", None)] == ["u1"]  # not checked again
    changes = backend().changes(since=4000.0)
    assert [(c["url"], c["revisions"], c["withdrawn_reason"]) for c in changes] == [
        ("http://a.edu.cn/2.htm", 0, "HTTP 404"), ("http://a.edu.cn/1.htm", 2, "")]
    assert backend().changes(since=8000.0) == []


def test_feeds_are_remembered_per_column(backend):
    store = backend()
    column = "http://a.edu.cn/xw/list.htm"
    assert store.feed(column) is None
    store.save_feed(column, "webplus_api", "http://a.edu.cn/_wp3services/generalQuery?queryObj=articles",
                    {"siteId": "7", "columnId": "523"})
    feed = backend().feed(column)
    assert (feed["kind"], feed["params"]) == ("webplus_api", {"siteId": "7", "columnId": "523"})
    store.save_feed(column, "none", reason="HTTP 404")
    assert (backend().feed(column)["kind"], backend().feed(column)["reason"]) == ("none", "HTTP 404")


def test_an_article_archived_before_schema_6_is_scheduled_from_its_published_text(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE articles (urlname TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL, "
               "path TEXT NOT NULL, fingerprint TEXT NOT NULL, published TEXT, written_at REAL NOT NULL)")
    db.execute("INSERT INTO articles VALUES ('u', 'http://x/1', 'cumt', 'cumt/u.md', 'f', "
               "'2025-03-01T08:00:00+08:00', 1740787200.0)")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    store = SqliteStateStore(path)
    published = 1740787200.0  # 2025-03-01 08:00 China time
    assert store.recheck_candidates("cumt", [DAY], now=published + DAY + 1)[0]["urlname"] == "u"
    assert store.article("u")["published_at"] == published
    store.close()
