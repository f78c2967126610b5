"""Sources file validation, the SQLite state store and the archive writer's file handling."""

import sqlite3

import pytest

from newscrawl.config import ConfigError, load_sources, university_domain
from newscrawl.pipelines.write import archive_path, write_atomically
from newscrawl.state import SqliteStateStore, StateError


def write(tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_file_is_valid_and_complete():
    sources = load_sources()
    assert {"cumt", "thepaper", "uestc", "xjtu", "nankai", "hrbeu", "sicau", "tmu", "tjutcm", "shutcm",
            "nwsuaf", "shsmu", "swjtu", "njust", "sufe"} <= set(sources)
    assert sources["cumt"].school == "中国矿业大学" and sources["cumt"].owns_host("news.cumt.edu.cn")


@pytest.mark.parametrize("body, message", [
    ("sources:\n  a:\n    archive: x.cn\n    lists: [http://x.cn/]\n", "sources.a.school: missing or empty"),
    ("sources:\n  a:\n    school: X\n    archive: x.cn\n    lists: [ftp://x.cn/]\n", "sources.a.lists[0]: not an http(s) URL"),
    ("sources:\n  a:\n    school: X\n    archive: x.cn\n    lists: [http://x.cn/]\n    colour: red\n", "sources.a.colour: unknown key"),
    ("sources:\n  a:\n    school: X\n    archive: x.cn\n    lists: [http://x.cn/]\n    selectors: {titel: h1}\n", "sources.a.selectors.titel"),
    ("sources: [\n", "not valid YAML"),
])
def test_config_errors_name_the_bad_key(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
        load_sources(write(tmp_path, body))


def test_university_domain():
    assert university_domain("news.cumt.edu.cn") == "cumt.edu.cn"
    assert university_domain("www.thepaper.cn") == "thepaper.cn"


def test_state_records_and_finds_articles_across_connections(tmp_path):
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    store.record(urlname="u1", url="http://a/1", source="cumt", path="cumt/u1.md", fingerprint="f1", published=None)
    store.close()
    again = SqliteStateStore(tmp_path / "s.sqlite3")
    assert again.has("u1") and not again.has("u2")
    assert again.urlname_with_fingerprint("f1") == "u1"
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_state_file_is_reported_clearly(tmp_path):
    bad = tmp_path / "s.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="full=1"):
        SqliteStateStore(bad)


def test_state_from_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version=99")
    with pytest.raises(StateError, match="newer"):
        SqliteStateStore(path)


def test_archive_path_never_leaves_the_output_directory(tmp_path):
    assert archive_path(tmp_path, "../../etc", "passwd").is_relative_to(tmp_path.resolve())
    assert archive_path(tmp_path, "cumt", "../x").parent == (tmp_path / "cumt").resolve()


def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "cumt" / "a.md"
    write_atomically(target, "内容")
    assert target.read_text(encoding="utf-8") == "内容"
    assert [p.name for p in target.parent.iterdir()] == ["a.md"]
