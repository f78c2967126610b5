"""The CMS's own list feeds (issue 17, item 4): WebPlus list API and VSB RSS, detected, never required."""

import json
import re
from urllib.parse import parse_qsl

import pytest

from conftest import crawl, write_sources
from newscrawl.feeds import VSB_RSS, WEBPLUS_API, Feed, FeedError, agrees, detect_feed, feed_request, parse_feed
from sitegen import (
    WEBPLUS_API_PATH, build_vsb_site, build_webplus_site, vsb_rss_answer, vsb_rss_link, webplus_api_answer,
)

HOST = "news.feed.edu.cn"
LIST = f"http://{HOST}/523/list.htm"
API = f"http://{HOST}{WEBPLUS_API_PATH}"


def sources_file(tmp_path, url=LIST, cms="webplus"):
    return write_sources(tmp_path, "feed", "接口大学", [url], cms)


def webplus_column(mirror, articles, api=True):
    rows = []
    urls = build_webplus_site(mirror.add, HOST, "523", articles, rows_out=rows)
    if api:
        mirror.add_handler(API, lambda call: (200, {"Content-Type": "application/json;charset=UTF-8"},
                                              webplus_api_answer(rows, call["body"], "7", "523")))
    return urls


def list_requests(mirror):
    """Requests that read the column: its HTML pages and its feed."""
    return [c for c in mirror.calls if "/523/list" in c["url"] or WEBPLUS_API_PATH in c["url"]]


def test_a_first_crawl_reads_the_column_through_the_list_api(mirror, tmp_path, state):
    urls = webplus_column(mirror, 230)  # 12 HTML pages of 20
    out = tmp_path / "out"
    result = crawl(mirror, out, "feed", settings={"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path),
                                                  "NEWSCRAWL_FEED_ROWS": 100, **state})
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list((out / "feed").glob("*.md"))) == 230
    assert sorted(c["url"] for c in mirror.calls if "/page.htm" in c["url"]) == sorted(urls)  # each once
    calls = list_requests(mirror)
    assert [c["url"] for c in calls] == [LIST, API, API, API]  # page 1, then 100 + 100 + 30 rows
    forms = [dict(parse_qsl(c["body"].decode())) for c in calls[1:]]
    assert [(f["siteId"], f["columnId"], f["pageIndex"], f["rows"]) for f in forms] == [
        ("7", "523", "1", "100"), ("7", "523", "2", "100"), ("7", "523", "3", "100")]
    assert all(c["method"] == "POST" for c in calls[1:]) and json.loads(forms[0]["returnInfos"])
    assert calls[1]["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert len(re.findall(r"reading its rows through the WebPlus list API \(siteId 7, columnId 523\)", result.stderr)) == 1

    # the column is complete: a re-run reads page 1 only; a backfill reads its whole history through the API
    mirror.calls.clear()
    again = crawl(mirror, out, "feed", settings={"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path),
                                                 "NEWSCRAWL_FEED_ROWS": 100, **state})
    assert [c["url"] for c in list_requests(mirror)] == [LIST] and again.returncode == 0
    mirror.calls.clear()
    backfill = crawl(mirror, out, "feed", "-a", "backfill=1",
                     settings={"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path), "NEWSCRAWL_FEED_ROWS": 100, **state})
    assert backfill.returncode == 0, backfill.stderr[-2000:]
    assert [c["url"] for c in list_requests(mirror)] == [LIST, API, API, API]
    assert [c for c in mirror.calls if "/page.htm" in c["url"]] == []  # all archived: nothing fetched


def test_a_backfill_without_the_api_reads_every_html_page(mirror, tmp_path):
    webplus_column(mirror, 70, api=False)  # the API answers 404 here
    out = tmp_path / "out"
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path)}
    first = crawl(mirror, out, "feed", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(list((out / "feed").glob("*.md"))) == 70
    urls = [c["url"] for c in list_requests(mirror)]
    assert urls == [LIST, API] + [f"http://{HOST}/523/list{n}.htm" for n in (2, 3, 4)]
    assert "did not answer as the CMS's does (HTTP 404): reading its HTML pages" in first.stderr
    # remembered: the next pagination of the column does not ask the API again
    mirror.calls.clear()
    backfill = crawl(mirror, out, "feed", "-a", "backfill=1", settings=settings)
    assert [c["url"] for c in list_requests(mirror)] == [LIST] + [f"http://{HOST}/523/list{n}.htm" for n in (2, 3, 4)]
    assert backfill.returncode == 0


def test_an_api_listing_other_rows_is_not_used(mirror, tmp_path):
    rows = []
    build_webplus_site(mirror.add, HOST, "523", 50, rows_out=rows)
    other = [(f"/2025/0101/c523a9{n:05d}/page.htm", "别的栏目", "2025-01-01") for n in range(50)]
    mirror.add_handler(API, lambda call: (200, {"Content-Type": "application/json"},
                                          webplus_api_answer(other, call["body"], "7", "523")))
    out = tmp_path / "out"
    result = crawl(mirror, out, "feed", settings={"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path)})
    assert result.returncode == 0
    assert "its rows are not the ones the HTML list shows" in result.stderr
    assert len(list((out / "feed").glob("*.md"))) == 50
    assert not [c for c in mirror.calls if "/c523a9" in c["url"]]


def test_a_vsb_column_is_read_through_its_rss_feed(mirror, tmp_path):
    rows = []
    vsb_host = "www.feedvsb.edu.cn"
    urls = build_vsb_site(mirror.add, vsb_host, "xw1002", 60, rows_out=rows, extra=vsb_rss_link("1002"))
    rss = f"http://{vsb_host}/system/resource/code/rss/rssfeed.jsp"

    def answer(call):
        query = dict(parse_qsl(call["url"].split("?", 1)[1]))
        assert query["treeid"] == "1002" and query["owner"] == "1265902890"
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, vsb_rss_answer(rows, vsb_host, int(query["number"]))

    # the page's link asks number=20; newscrawl asks NEWSCRAWL_FEED_ROWS (1000) rows in one request
    mirror.add_handler(f"{rss}?type=list&treeid=1002&viewid=128914&mode=10&dbname=vsb&owner=1265902890"
                       "&ownername=bench&contentid=118540&number=1000", answer)
    out = tmp_path / "out"
    result = crawl(mirror, out, "feed", settings={"NEWSCRAWL_SOURCES_FILE": sources_file(
        tmp_path, f"http://{vsb_host}/xw1002.htm", "vsb")})
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list((out / "feed").glob("*.md"))) == 60
    list_calls = [c["url"] for c in mirror.calls if "xw1002" in c["url"] or "rssfeed" in c["url"]]
    assert list_calls[0] == f"http://{vsb_host}/xw1002.htm" and "rssfeed.jsp" in list_calls[1] and len(list_calls) == 2
    assert "reading its rows through the VSB RSS feed" in result.stderr
    assert sorted(c["url"] for c in mirror.calls if "/info/" in c["url"]) == sorted(urls)


def test_feeds_can_be_switched_off(mirror, tmp_path):
    webplus_column(mirror, 45)
    crawl(mirror, tmp_path / "out", "feed", settings={"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path),
                                                      "NEWSCRAWL_FEEDS": "False"})
    assert [c["url"] for c in list_requests(mirror)] == [LIST] + [f"http://{HOST}/523/list{n}.htm" for n in (2, 3)]


# ---- detection and answers, in-process ------------------------------------------------------------
def test_webplus_feed_is_found_from_the_beacon_the_list_url_or_the_rows():
    page = '<script src="/_js/jquery.min.js" sudy-wp-context="" sudy-wp-siteId="414"></script>'
    beacon = page + '<img src="/_visitcount?siteId=414&type=2&columnId=26263">'
    rows = ["https://jw.nju.edu.cn/e5/60/c26263a845152/page.htm", "https://jw.nju.edu.cn/e5/0a/c26263a845066/page.htm"]
    by_beacon = detect_feed(beacon, "https://jw.nju.edu.cn/ggtz/list.htm", "webplus", [])
    assert by_beacon == Feed(WEBPLUS_API, "https://jw.nju.edu.cn/_wp3services/generalQuery?queryObj=articles",
                             {"siteId": "414", "columnId": "26263"})
    assert detect_feed(page, "https://jw.nju.edu.cn/523/list.htm", "webplus", []).params["columnId"] == "523"
    assert detect_feed(page, "https://jw.nju.edu.cn/ggtz/list.htm", "webplus", rows).params["columnId"] == "26263"
    assert detect_feed(page, "https://jw.nju.edu.cn/ggtz/list.htm", "webplus", []) is None  # no column id
    assert detect_feed("<html></html>", "https://jw.nju.edu.cn/523/list.htm", "webplus", []) is None  # no siteId
    assert detect_feed(beacon, "https://jw.nju.edu.cn/523/list.htm", "generic", []) is None


def test_vsb_feed_must_be_the_rows_own_tree():
    page = vsb_rss_link("1002")
    rows = ["http://a.edu.cn/info/1002/1.htm", "http://a.edu.cn/info/1002/2.htm"]
    feed = detect_feed(page, "http://a.edu.cn/xw.htm", "vsb", rows)
    assert feed.kind == VSB_RSS and feed.endpoint == "http://a.edu.cn/system/resource/code/rss/rssfeed.jsp"
    assert feed.params["treeid"] == "1002" and "number=500" in feed_request(feed, 1, 500)["url"]
    assert detect_feed(page, "http://a.edu.cn/xw.htm", "vsb", ["http://a.edu.cn/info/1077/1.htm"]) is None


def test_feed_answers_are_read_as_the_html_list_would_name_the_articles():
    feed = Feed(WEBPLUS_API, "https://a.edu.cn/_wp3services/generalQuery?queryObj=articles", {"siteId": "1", "columnId": "2"})
    answer = json.dumps({"total": 3, "data": [
        {"title": "a", "url": "/2025/0101/c2a1/page.htm"},
        {"title": "b", "url": "http://a.edu.cn/2025/0101/c2a2/page.htm"},   # the API's http for an https site
        {"title": "c", "link": "https://other.edu.cn/x.htm#top"}, {"title": "d"}]}).encode()
    page = parse_feed(feed, answer, "https://a.edu.cn/2/list.htm")
    assert page.total == 3 and page.links == ["https://a.edu.cn/2025/0101/c2a1/page.htm",
                                              "https://a.edu.cn/2025/0101/c2a2/page.htm", "https://other.edu.cn/x.htm"]
    for bad in (b"<html>404</html>", b'{"error": "no"}', b"[]"):
        with pytest.raises(FeedError):
            parse_feed(feed, bad, "https://a.edu.cn/2/list.htm")
    rss = Feed(VSB_RSS, "http://a.edu.cn/system/resource/code/rss/rssfeed.jsp", {"treeid": "1"})
    with pytest.raises(FeedError, match="not RSS"):
        parse_feed(rss, b"<html><body>error</body></html>", "http://a.edu.cn/x.htm")
    assert agrees(["u1", "u2", "u3"], ["u1", "u2"]) and not agrees(["x"], ["u1", "u2"]) and not agrees([], ["u1"])


def test_a_page_cap_bounds_the_rows_read_through_the_api(mirror, tmp_path):
    urls = webplus_column(mirror, 230)  # 12 HTML pages of 20
    settings = {"NEWSCRAWL_SOURCES_FILE": sources_file(tmp_path), "NEWSCRAWL_FEED_ROWS": 100}
    # two pages: the API would replace one HTML page only, so the HTML next page is read, as without it
    two = crawl(mirror, tmp_path / "two", "feed", "-a", "max_pages=2", settings=settings)
    assert two.returncode == 0, two.stderr[-2000:]
    assert [c["url"] for c in list_requests(mirror)] == [LIST, f"http://{HOST}/523/list2.htm"]
    assert len(list((tmp_path / "two" / "feed").glob("*.md"))) == 40
    # four pages: the API reads the rows of four HTML pages (80) in one request, and no more
    mirror.calls.clear()
    four = crawl(mirror, tmp_path / "four", "feed", "-a", "max_pages=4", settings=settings)
    assert four.returncode == 0, four.stderr[-2000:]
    calls = list_requests(mirror)
    assert [c["url"] for c in calls] == [LIST, API]
    assert dict(parse_qsl(calls[1]["body"].decode()))["rows"] == "80"
    assert sorted(c["url"] for c in mirror.calls if "/page.htm" in c["url"]) == sorted(urls[:80])
    assert "stopping at feed page 1" in four.stderr
