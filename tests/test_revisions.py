"""Re-checks and revisions (issue 17, item 3): an edited article is rewritten in place, a withdrawn one
recorded and kept, everything else untouched; on both state backends."""

import hashlib
import re
import time
from datetime import datetime

import pytest
from scrapy.settings import Settings

import newscrawl.settings as project_settings
from conftest import crawl, write_sources
from newscrawl.archive import parse_front_matter
from newscrawl.recheck import parse_schedule, withdrawn_notice
from newscrawl.state import open_store
from newscrawl.urls import urlname
from sitegen import build_webplus_site, webplus_article, webplus_list

HOST = "news.edit.edu.cn"
LIST = f"http://{HOST}/xw/list.htm"


def setup_site(mirror, tmp_path, articles=6):
    urls = build_webplus_site(lambda url, body: mirror.add(url, body, validators=True), HOST, "xw", articles)
    return urls, write_sources(tmp_path, "edit", "编辑大学", [LIST])


def store_of(out, state):
    settings = Settings()
    settings.setmodule(project_settings)
    settings.setdict({"NEWSCRAWL_OUTPUT_DIR": str(out), **state})
    return open_store(settings)


def files(out):
    return {p.name: p.read_bytes() for p in (out / "edit").glob("*.md")}


def mtimes(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "edit").glob("*.md")}


def article_calls(mirror):
    return [c for c in mirror.calls if "/page.htm" in c["url"]]


def test_recheck_rewrites_exactly_the_edited_articles_and_records_withdrawn_ones(mirror, tmp_path, state):
    urls, sources = setup_site(mirror, tmp_path)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources, **state}
    out = tmp_path / "out"
    first = crawl(mirror, out, "edit", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    before, times = files(out), mtimes(out)
    assert len(before) == 6

    edited = urls[:2]
    for n, url in enumerate(edited):  # 更正: a corrected deadline
        mirror.add(url, webplus_article(f"更正后的通知标题第{n}号", "2025-01-01", [f"截止日期更正为六月{n + 1}日。" * 5]),
                   validators=True)
    mirror.routes.pop(urls[2])  # deleted: the server answers 404
    mirror.add(urls[3], "<html><head><title>提示信息</title></head><body><p>该信息已删除</p></body></html>")
    mirror.calls.clear()
    rerun = crawl(mirror, out, "edit", "-a", "recheck=1", settings=settings)
    assert rerun.returncode == 0, rerun.stderr[-3000:]

    after = files(out)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {f"{urlname(u)}.md" for u in edited}
    assert set(after) == set(before)  # withdrawn articles keep their files
    for name in set(before) - changed:
        assert (out / "edit" / name).stat().st_mtime_ns == times[name]
    for n, url in enumerate(edited):
        text = (out / "edit" / f"{urlname(url)}.md").read_text(encoding="utf-8")
        assert f"截止日期更正为六月{n + 1}日。" in text and f"更正后的通知标题第{n}号" in text
        assert "lastmod:" not in text  # NEWSCRAWL_LASTMOD is off: the seeds' format exactly
        assert parse_front_matter(text)["urlname"] == urlname(url)
    statuses = {c["url"]: c["status"] for c in article_calls(mirror)}
    assert len(article_calls(mirror)) == 6  # one request each, no view counters
    assert {u for u, s in statuses.items() if s == 304} == set(urls[4:])
    assert all(c["headers"].get("If-None-Match") for c in article_calls(mirror) if c["url"] != urls[3])
    assert re.search(r"revised 2, withdrawn 2", rerun.stderr)
    assert "re-checked 6: not modified 2, unchanged 0, revised 2, withdrawn 2, failed 0" in rerun.stderr
    assert len(re.findall(r"article withdrawn by the site", rerun.stderr)) == 2

    store = store_of(out, state)
    try:
        for url in edited:
            row = store.article(urlname(url))
            old_hash = hashlib.md5(before[f"{urlname(url)}.md"]).hexdigest()
            assert (row["revisions"], row["previous_hash"]) == (1, old_hash) and row["revised_at"] > 0
        assert store.article(urlname(urls[2]))["withdrawn_reason"] == "HTTP 404"
        assert store.article(urlname(urls[3]))["withdrawn_reason"].startswith("deleted: ")
        assert store.count("edit") == 6
    finally:
        store.close()

    # once more: nothing changed, withdrawn articles are not asked again
    mirror.calls.clear()
    again = crawl(mirror, out, "edit", "-a", "recheck=1", settings=settings)
    assert again.returncode == 0 and "revised 0, withdrawn 0" in again.stderr
    assert {c["status"] for c in article_calls(mirror)} == {304}
    assert {c["url"] for c in article_calls(mirror)} == set(edited + urls[4:])


def test_lastmod_marks_a_revised_file_when_switched_on(mirror, tmp_path):
    urls, sources = setup_site(mirror, tmp_path, articles=3)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources, "NEWSCRAWL_LASTMOD": "True"}
    out = tmp_path / "out"
    crawl(mirror, out, "edit", settings=settings)
    assert not any(b"lastmod:" in body for body in files(out).values())  # new files: the seeds' format
    mirror.add(urls[0], webplus_article("修改后的标题内容", "2025-01-01", ["修改后的正文。" * 8]), validators=True)
    result = crawl(mirror, out, "edit", "-a", "recheck=1", settings=settings)
    assert "revised 1" in result.stderr, result.stderr[-2000:]
    text = (out / "edit" / f"{urlname(urls[0])}.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    date_at = next(i for i, line in enumerate(lines) if line.startswith("date: "))
    assert re.fullmatch(r"lastmod: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[date_at + 1])  # Hugo reads it
    assert isinstance(parse_front_matter(text)["lastmod"], datetime)
    # checked again and unchanged: the lastmod line does not count as a change
    mirror.calls.clear()
    again = crawl(mirror, out, "edit", "-a", "recheck=1", "-s", "NEWSCRAWL_CONDITIONAL=False", settings=settings)
    assert "revised 0" in again.stderr and "unchanged 3" in again.stderr


def test_articles_are_rechecked_on_schedule_and_bounded_per_run(mirror, tmp_path, state):
    urls, sources = setup_site(mirror, tmp_path, articles=5)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources, "NEWSCRAWL_RECHECK_PER_RUN": 2, **state}
    out = tmp_path / "out"
    crawl(mirror, out, "edit", settings=settings)
    mirror.calls.clear()
    crawl(mirror, out, "edit", settings=settings)
    assert article_calls(mirror) == []  # published long before they were archived: nothing due
    # three articles published yesterday and archived an hour after: a day old now, due once
    store = store_of(out, state)
    now = time.time()
    for url in urls[:3]:
        store.db.execute("UPDATE articles SET published_at=?, checked_at=? WHERE urlname=?",
                         (now - 86400 - 7200, now - 86400 - 3600, urlname(url)))
    store.close()
    mirror.calls.clear()
    due = crawl(mirror, out, "edit", settings=settings)
    assert due.returncode == 0, due.stderr[-2000:]
    assert len(article_calls(mirror)) == 2 and {c["status"] for c in article_calls(mirror)} == {304}
    mirror.calls.clear()
    crawl(mirror, out, "edit", settings=settings)
    assert len(article_calls(mirror)) == 1  # the third; the first two wait for their week
    mirror.calls.clear()
    crawl(mirror, out, "edit", settings=settings)
    assert article_calls(mirror) == []


def test_schedule_parsing():
    assert parse_schedule("1d,7d,30d") == [86400.0, 604800.0, 2592000.0]
    assert parse_schedule("12h, 1w,3600") == [3600.0, 43200.0, 604800.0]
    assert parse_schedule("") == []
    with pytest.raises(ValueError, match="not an age"):
        parse_schedule("daily")


def test_withdrawn_notices_are_short_pages_not_articles_mentioning_them():
    assert withdrawn_notice(404, "") == "HTTP 404" and withdrawn_notice(410, "x") == "HTTP 410"
    notice = "<html><head><title>提示</title></head><body><div>该信息已删除</div><a href='/'>返回首页</a></body></html>"
    assert withdrawn_notice(200, notice).startswith("deleted: ")
    assert withdrawn_notice(200, "<html><head><title>页面不存在</title></head><body></body></html>").startswith("not_found")
    article = ("<html><head><title>关于网站管理的说明</title></head><body><p>"
               + "如页面显示该信息已删除，请联系管理员。" * 100 + "</p></body></html>")
    assert withdrawn_notice(200, article) is None
    # down for a while is not gone: the re-check fails and is tried again
    assert withdrawn_notice(200, "<html><body><p>系统维护中</p></body></html>") is None
    assert withdrawn_notice(500, "") is None
    home = "http://a.edu.cn/index.htm"
    assert withdrawn_notice(200, "<html><body><p>学校首页</p></body></html>", home, "http://a.edu.cn/1.htm").startswith(
        "moved_home")


def test_rewrite_archived_is_the_one_way_to_replace_an_archive_file(tmp_path):
    from newscrawl.pipelines.write import rewrite_archived

    path = tmp_path / "cumt" / "u.md"
    text = "---\ntitle: 标题\ndate: 2025-01-01 00:00:00\nurlname: u\n---\n正文"
    assert rewrite_archived(path, text) == ""                      # no file yet: written
    stamp = path.stat().st_mtime_ns
    assert rewrite_archived(path, text, lastmod="2025-02-01 08:00:00") is None  # same text: untouched
    assert path.stat().st_mtime_ns == stamp and path.read_text(encoding="utf-8") == text
    edited = text + "（更正）"
    assert rewrite_archived(path, edited, lastmod="2025-02-01 08:00:00") == hashlib.md5(text.encode()).hexdigest()
    assert path.read_text(encoding="utf-8") == edited.replace("date: 2025-01-01 00:00:00\n",
                                                            "date: 2025-01-01 00:00:00\nlastmod: 2025-02-01 08:00:00\n")
    assert rewrite_archived(path, edited) is None                  # its lastmod line is not a change
    assert not list(path.parent.glob(".*.tmp"))


def test_the_health_page_shows_revisions_and_withdrawals():
    from lxml import html as lxml_html

    from newscrawl.report import render_report

    now = 1_780_000_000.0
    runs = [{"source": "edit", "started_at": now - d * 86400, "duration_s": 1.0, "status": "ok", "exit_code": 0,
             "articles_written": 0, "counts": {"articles_revised": r, "articles_withdrawn": w}, "failures": {},
             "problems": []} for d, r, w in ((40, 5, 5), (3, 2, 1), (1, 1, 0))]
    changes = [{"source": "edit", "url": "http://a.edu.cn/1.htm", "revisions": 2, "revised_at": now - 3600,
                "withdrawn_at": None, "withdrawn_reason": ""},
               {"source": "edit", "url": "http://a.edu.cn/<2>.htm", "revisions": 0, "revised_at": None,
                "withdrawn_at": now - 7200, "withdrawn_reason": "HTTP 404"}]
    doc = lxml_html.fromstring(render_report(["edit"], runs, now=now, changes=changes))
    cells = [td.text_content() for td in doc.xpath("//table[@id='sources']/tbody/tr/td")]
    assert cells[-2:] == ["3", "1"]  # revised and withdrawn in the last 30 days (not the 40-day-old run)
    rows = [[td.text_content() for td in tr.findall("td")] for tr in doc.xpath("//table[@id='changes']/tbody/tr")]
    assert [r[2:] for r in rows] == [["revised (2 revisions)", "http://a.edu.cn/1.htm"],
                                     ["withdrawn (HTTP 404)", "http://a.edu.cn/<2>.htm"]]
    assert "changes" not in render_report(["edit"], runs, now=now)


# ---- the spider's decisions on a re-check, in-process ---------------------------------------------
def recheck_spider(tmp_path):
    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.article import ArticleSpider

    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    settings.update(NEWSCRAWL_OUTPUT_DIR=str(tmp_path), NEWSCRAWL_STATE_TIMEOUT=5)
    crawler = get_crawler(ArticleSpider, settings)
    spider = ArticleSpider.from_crawler(crawler, url="http://a.edu.cn/1.htm")
    crawler.spider = spider
    spider.store.record(urlname=urlname("http://a.edu.cn/1.htm"), url="http://a.edu.cn/1.htm", source="a.edu.cn",
                        path="a.edu.cn/x.md", fingerprint="f", published="2025-01-01T00:00:00+08:00")
    return crawler, spider


def recheck_response(status, url="http://a.edu.cn/1.htm", body=b"", redirected_from=None):
    from scrapy.http import HtmlResponse, Request

    meta = {"newscrawl_recheck": urlname("http://a.edu.cn/1.htm"), "newscrawl_source": "a.edu.cn",
            "newscrawl_kind": "article"}
    if redirected_from:
        meta["redirect_urls"] = [redirected_from]
    return HtmlResponse(url, status=status, body=body, request=Request(url, meta=meta), encoding="utf-8")


def test_a_recheck_answered_304_or_gone_touches_no_file(tmp_path):
    crawler, spider = recheck_spider(tmp_path)
    name = urlname("http://a.edu.cn/1.htm")
    assert list(spider.parse_recheck(recheck_response(304))) == []
    assert spider.store.article(name)["checked_at"] > 0
    assert list(spider.parse_recheck(recheck_response(410))) == []
    assert spider.store.article(name)["withdrawn_reason"] == "HTTP 410"
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/rechecks/not_modified"] == 1 and stats["newscrawl/articles/withdrawn"] == 1
    assert "newscrawl/articles/failed" not in stats


def test_a_recheck_redirected_elsewhere_is_not_archived_in_its_place(tmp_path):
    crawler, spider = recheck_spider(tmp_path)
    column = recheck_response(200, url="http://a.edu.cn/xw/list.htm", redirected_from="http://a.edu.cn/1.htm",
                              body=("<html><body><h1>新闻</h1><p>" + "栏目里的文章列表。" * 30 + "</p></body></html>").encode())
    assert list(spider.parse_recheck(column)) == []
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/rechecks/failed"] == 1 and "newscrawl/articles/failed" not in stats
    assert spider.store.failures() == []  # nothing queued: the archived article is not lost
    home = recheck_response(200, url="http://a.edu.cn/index.htm", redirected_from="http://a.edu.cn/1.htm",
                            body="<html><body><h1>学校首页</h1><p>欢迎访问</p></body></html>".encode())
    assert list(spider.parse_recheck(home)) == []  # the CMS's way to say the article is gone
    assert spider.store.article(urlname("http://a.edu.cn/1.htm"))["withdrawn_reason"].startswith("moved_home")
    https = recheck_response(200, url="https://a.edu.cn/1.htm", redirected_from="http://a.edu.cn/1.htm",
                             body="<html><body><h1>标题</h1><p>正文</p></body></html>".encode())
    items = list(spider.parse_recheck(https))
    assert len(items) == 1 and items[0].recheck and items[0].url == "http://a.edu.cn/1.htm"


CHANNEL_BODY = ("<html><head><title>学校要闻</title></head><body><ul class='news_list'>" + "".join(
    f"<li><a href='/xw/2024/04{i:02d}/b{i}.htm'>学校举办第{i}场学术报告会暨研讨交流活动</a><span>2024-04-{i:02d}</span></li>"
    for i in range(1, 21)) + "</ul><div class='page'><a href='index2.htm'>下一页</a></div></body></html>").encode()


def assert_recheck_failed_only(crawler, spider):
    """A re-check that went wrong: counted as such, nothing dropped or failed, the archived row as it was."""
    stats = crawler.stats.get_stats()
    assert stats.get("newscrawl/rechecks/failed") == 1, stats
    assert not [k for k in stats if k.startswith(("newscrawl/dropped/", "newscrawl/articles/failed", "newscrawl/failed/"))]
    row = spider.store.article(urlname("http://a.edu.cn/1.htm"))
    assert (row["kind"], row["path"]) == ("archived", "a.edu.cn/x.md")
    assert spider.store.failures() == []


def test_a_recheck_answered_by_a_channel_page_keeps_the_archived_article(tmp_path):
    crawler, spider = recheck_spider(tmp_path)
    assert list(spider.parse_recheck(recheck_response(200, body=CHANNEL_BODY))) == []
    assert_recheck_failed_only(crawler, spider)


def test_a_recheck_answered_by_a_login_page_is_a_failed_recheck(tmp_path):
    crawler, spider = recheck_spider(tmp_path)
    login = "<html><body><form><input type='password' name='pw'></form><p>统一身份认证</p></body></html>"
    assert list(spider.parse_recheck(recheck_response(200, body=login.encode()))) == []
    assert_recheck_failed_only(crawler, spider)


def test_a_recheck_that_meets_a_wall_is_counted(tmp_path):
    from scrapy.http import Request
    from twisted.python.failure import Failure

    from newscrawl.middlewares import BlockedRequest

    crawler, spider = recheck_spider(tmp_path)
    request = spider.recheck_request({"url": "http://a.edu.cn/1.htm", "urlname": urlname("http://a.edu.cn/1.htm"),
                                      "etag": "", "last_modified": ""}, spider.source_for("http://a.edu.cn/1.htm"))
    assert isinstance(request, Request)
    failure = Failure(BlockedRequest("anti-bot page from a.edu.cn (HTTP 412)"))
    failure.request = request
    spider.recheck_error(failure)
    assert_recheck_failed_only(crawler, spider)


def test_a_recheck_the_pipelines_drop_is_a_failed_recheck(tmp_path):
    from scrapy.exceptions import DropItem

    from newscrawl.items import ArticleItem
    from newscrawl.pipelines import ValidatePipeline

    crawler, spider = recheck_spider(tmp_path)
    item = ArticleItem(url="http://a.edu.cn/1.htm", source="a.edu.cn", title="", paragraphs=["正文"], recheck=True)
    with pytest.raises(DropItem):
        ValidatePipeline.from_crawler(crawler).process_item(item)
    assert_recheck_failed_only(crawler, spider)


def test_a_full_recrawl_that_finds_a_channel_page_keeps_the_archived_article(tmp_path):
    crawler, spider = recheck_spider(tmp_path)
    spider.full = True
    response = recheck_response(200, body=CHANNEL_BODY)
    del response.meta["newscrawl_recheck"]
    assert list(spider.parse_article(response)) == []
    assert crawler.stats.get_value("newscrawl/dropped/not_article") == 1  # this run's outcome: dropped
    row = spider.store.article(urlname("http://a.edu.cn/1.htm"))
    assert (row["kind"], row["path"]) == ("archived", "a.edu.cn/x.md")  # the archive still holds its file


def test_a_bug_in_a_recheck_callback_is_a_failed_recheck_of_its_source(tmp_path):
    from scrapy.http import HtmlResponse, Request
    from twisted.python.failure import Failure

    from newscrawl.summary import CrawlSummary

    crawler, spider = recheck_spider(tmp_path)
    url = "http://a.edu.cn/1.htm"
    article = Request(url, meta={"newscrawl_kind": "article", "newscrawl_source": "a.edu.cn"})
    CrawlSummary(crawler).spider_error(Failure(ValueError("bug")), HtmlResponse(url, request=article), spider)
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/source/a.edu.cn/articles/failed"] == 1  # crawlall's per-source verdict sees it
    recheck = Request(url, meta={**article.meta, "newscrawl_recheck": urlname(url)})
    CrawlSummary(crawler).spider_error(Failure(ValueError("bug")), HtmlResponse(url, request=recheck), spider)
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/articles/failed"] == 1 and stats["newscrawl/source/a.edu.cn/rechecks/failed"] == 1
    assert stats["newscrawl/errors/spider_error"] == 2


def test_a_page_that_states_no_date_keeps_its_first_crawl_time_on_full_recrawls_and_rechecks(mirror, tmp_path):
    """Its `date` is the crawl time it was archived at (FORMAT.md); the same text a day later is no edit:
    `-a full=1` does not rewrite it (README) and a re-check finds it unchanged, not revised."""
    url = f"http://{HOST}/xw/notice.htm"
    mirror.add(url, """<html><head><meta charset="utf-8"><title>关于开展安全检查的通知-编辑大学</title></head><body>
<div class="article"><h1>关于开展安全检查的通知</h1><div class="article-content">"""
               + "<p>各单位：学校将开展实验室安全检查，请各单位做好自查，按要求整改，确保安全。</p>" * 4
               + "</div></div></body></html>")  # no validators: a re-check reads the page again
    mirror.add(LIST, webplus_list([("/xw/notice.htm", "关于开展安全检查的通知", "2025-01-01")], None, 1, 1))
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  edit:\n    school: 编辑大学\n    archive: edit.example\n    lists: [{LIST}]\n",
                       encoding="utf-8")
    settings = {"NEWSCRAWL_SOURCES_FILE": sources}
    out = tmp_path / "out"
    first = crawl(mirror, out, "edit", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    (path,) = (out / "edit").glob("*.md")
    # archived a day ago: its date is that crawl's time
    path.write_text(re.sub(r"(?m)^date: .*$", "date: 2025-03-01 09:30:00", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    archived = path.read_bytes()
    for arg, said in (("full=1", "written 0, unchanged 1"), ("recheck=1", "re-checked 1: not modified 0, unchanged 1, revised 0")):
        again = crawl(mirror, out, "edit", "-a", arg, settings=settings)
        assert again.returncode == 0, again.stderr[-2000:]
        assert path.read_bytes() == archived, arg
        assert said in again.stderr and "revised 0" in again.stderr, again.stderr[-2000:]
