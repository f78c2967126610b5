"""Conditional list pages (issue 17, item 1): a 304 costs the site a header, and never hides an article."""

import re

from conftest import crawl, write_sources
from sitegen import build_webplus_site, webplus_article, webplus_list

HOST = "news.cond.edu.cn"
LIST = f"http://{HOST}/xw/list.htm"


def sources_file(tmp_path):
    return write_sources(tmp_path, "cond", "条件大学", [LIST])


def served_with_validators(mirror):
    def add(url, body):
        mirror.add(url, body, validators=True)
    return add


def list_calls(mirror):
    return [c for c in mirror.calls if c["url"] == LIST]


def test_an_unchanged_list_page_is_answered_304_and_nothing_is_parsed(mirror, tmp_path, state):
    urls = build_webplus_site(served_with_validators(mirror), HOST, "xw", 5)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path), **state}
    out = tmp_path / "out"
    first = crawl(mirror, out, "cond", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "If-None-Match" not in list_calls(mirror)[0]["headers"]

    mirror.calls.clear()
    again = crawl(mirror, out, "cond", settings=settings)
    assert again.returncode == 0, again.stderr[-2000:]
    [call] = list_calls(mirror)
    assert call["headers"]["If-None-Match"] and call["headers"]["If-Modified-Since"] and call["status"] == 304
    assert [c["url"] for c in mirror.calls if "/page.htm" in c["url"]] == []
    assert "OK" in again.stderr and "list pages read 0, not modified 1, failed 0" in again.stderr
    assert "http_304" not in again.stderr

    # a new article changes the page: the server answers 200 and the article is archived
    new_url = f"http://{HOST}/2025/0601/cxwa200000/page.htm"
    mirror.add(new_url, webplus_article("新增的文章标题用于测试", "2025-06-01", ["新的一段正文。" * 10]), validators=True)
    rows = [(new_url.split(HOST, 1)[1], "新增的文章标题用于测试", "2025-06-01")] + [
        (u.split(HOST, 1)[1], "旧", "2025-01-01") for u in urls]
    mirror.add(LIST, webplus_list(rows, None, 1, 1), validators=True)
    mirror.calls.clear()
    changed = crawl(mirror, out, "cond", settings=settings)
    assert changed.returncode == 0, changed.stderr[-2000:]
    assert list_calls(mirror)[0]["status"] == 200
    assert [c["url"] for c in mirror.calls if "/page.htm" in c["url"]] == [new_url]
    assert len(list((out / "cond").glob("*.md"))) == 6


def test_a_list_page_whose_article_went_nowhere_is_read_in_full_next_time(mirror, tmp_path, state):
    """A 304 must never hide an article: validators are kept only once every article of the page is recorded."""
    urls = build_webplus_site(served_with_validators(mirror), HOST, "xw", 4)
    # one article is an empty page today: dropped (a decision, not recorded), to be looked at again
    mirror.add(urls[2], "<html><body><p></p></body></html>", validators=True)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path), **state}
    out = tmp_path / "out"
    assert crawl(mirror, out, "cond", settings=settings).returncode == 0
    mirror.calls.clear()
    again = crawl(mirror, out, "cond", settings=settings)
    assert "empty_body" in again.stderr or "no_title" in again.stderr  # looked at again, dropped again
    [call] = list_calls(mirror)
    assert "If-None-Match" not in call["headers"] and call["status"] == 200
    assert urls[2] in [c["url"] for c in mirror.calls]


def test_a_server_that_ignores_validators_costs_what_it_did(mirror, tmp_path):
    build_webplus_site(mirror.add, HOST, "xw", 3)  # no ETag, no Last-Modified
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path)}
    out = tmp_path / "out"
    crawl(mirror, out, "cond", settings=settings)
    mirror.calls.clear()
    again = crawl(mirror, out, "cond", settings=settings)
    assert again.returncode == 0
    [call] = list_calls(mirror)
    assert "If-None-Match" not in call["headers"] and "If-Modified-Since" not in call["headers"]
    assert re.search(r"list pages read 1, not modified 0", again.stderr)


def test_conditional_requests_can_be_switched_off(mirror, tmp_path):
    build_webplus_site(served_with_validators(mirror), HOST, "xw", 3)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path), "NEWSCRAWL_CONDITIONAL": "False"}
    out = tmp_path / "out"
    crawl(mirror, out, "cond", settings=settings)
    mirror.calls.clear()
    crawl(mirror, out, "cond", settings=settings)
    assert [c["status"] for c in list_calls(mirror)] == [200]
