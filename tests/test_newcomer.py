"""Issue 16: what a new user meets in the first five minutes is true (one test per README statement that was not)."""

from __future__ import annotations

import argparse
import os
import time

import pytest
import yaml
from lxml import html as lxml_html
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from conftest import crawl_command, scrapy
from newscrawl.middlewares import BackoffRetryMiddleware
from newscrawl.spiderloader import SourceSpiderLoader
from sitegen import build_webplus_site


# ---- 3. crawlall is a command, not a spider ------------------------------------------------------
def test_crawlall_is_not_a_spider_a_user_can_list_or_crawl():
    from newscrawl.preflight import PreflightError, spider_class

    loader = SourceSpiderLoader.from_settings(get_project_settings())
    assert "crawlall" not in loader.list()
    assert {"article", "site", "cumt", "uestc"} <= set(loader.list())

    class Process:
        spider_loader = loader

    with pytest.raises(PreflightError, match="unknown spider 'crawlall'"):
        spider_class(Process, "crawlall")


def test_a_source_may_not_take_an_internal_spiders_name(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  crawlall:\n    school: X\n    archive: x.cn\n    lists: [http://x.edu.cn/l.htm]\n",
                       encoding="utf-8")
    settings = get_project_settings()
    settings.set("NEWSCRAWL_SOURCES_FILE", str(sources))
    with pytest.raises(SystemExit, match="sources.crawlall: the name is taken by a built-in spider"):
        SourceSpiderLoader.from_settings(settings)


# ---- for the next engineer: Scrapy's public retry, with a backoff -------------------------------
def test_retries_wait_longer_each_time_through_scrapys_public_retry():
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, "NEWSCRAWL_RETRY_BACKOFF_BASE": 2.0,
                                   "NEWSCRAWL_RETRY_BACKOFF_MAX": 3.0})
    crawler.spider = Spider.from_crawler(crawler, name="s")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://a.edu.cn/1.htm")
    first = middleware.process_response(request, Response(request.url, status=503, request=request))
    assert isinstance(first, Request) and first.meta["newscrawl_retry_delay"] == 2.0
    second = middleware.process_exception(first, TimeoutError())
    assert isinstance(second, Request) and second.meta["newscrawl_retry_delay"] == 3.0  # capped
    # retries used up: the answer goes on to the spider, with no delay added to anything
    third = middleware.process_response(second, Response(request.url, status=503, request=second))
    assert isinstance(third, Response)
    ok = Response(request.url, status=200, request=request)
    assert middleware.process_response(request, ok) is ok


# ---- 5. NEWSCRAWL_SOURCES_FILE from the environment ---------------------------------------------
def test_sources_file_named_in_the_environment_is_used(tmp_path):
    sources = tmp_path / "mine.yaml"
    sources.write_text("sources:\n  mine:\n    school: 我的大学\n    archive: mine.cn\n"
                       "    lists: [http://news.mine.edu.cn/1/list.htm]\n", encoding="utf-8")
    listed = scrapy("list", env=dict(os.environ, NEWSCRAWL_SOURCES_FILE=str(sources)), timeout=60)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "mine" in listed.stdout.split() and "cumt" not in listed.stdout.split()


# ---- 6. selectors are compiled when the file is validated ----------------------------------------
@pytest.mark.parametrize("css, problem", [("ul.news li a[", "Expected"), ("a:hover-ish", "unknown"),
                                          ("div.list >", "Expected selector")])
def test_an_invalid_css_selector_is_a_config_error_naming_it(tmp_path, css, problem):
    from newscrawl.config import ConfigError, load_sources

    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": {"whu": {"school": "武汉大学", "archive": "whu.cc",
                                                            "lists": ["https://news.whu.edu.cn/wdzx/wdyw.htm"],
                                                            "selectors": {"list_links": css}}}}, allow_unicode=True),
                       encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_sources(sources)
    message = str(error.value)
    assert message.startswith(f"{sources}: sources.whu.selectors.list_links: not a valid CSS selector {css!r}: ")
    assert problem in message


def test_valid_selectors_with_parsel_pseudo_elements_pass(tmp_path):
    from newscrawl.config import load_sources

    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  whu:\n    school: 武汉大学\n    archive: whu.cc\n"
                       "    lists: [https://news.whu.edu.cn/wdzx/wdyw.htm]\n"
                       "    selectors: {list_links: 'ul.list li > a', title: 'h1::text', body: '#vsb_content',"
                       " date: 'span[class*=time]'}\n", encoding="utf-8")
    assert load_sources(sources)["whu"].selectors["title"] == "h1::text"


# ---- 7. usage errors are exit 1, before anything runs --------------------------------------------
def test_article_and_site_need_their_urls_before_anything_runs():
    from newscrawl.preflight import PreflightError, check_arguments
    from newscrawl.spiders.article import ArticleSpider
    from newscrawl.spiders.site import SiteSpider

    with pytest.raises(PreflightError, match=r"spider 'article' needs -a url="):
        check_arguments(ArticleSpider, {})
    with pytest.raises(PreflightError, match=r"spider 'site' needs -a lists="):
        check_arguments(SiteSpider, {"max_pages": "1", "lists": ""})
    check_arguments(ArticleSpider, {"url": "http://a.edu.cn/1.htm"})


@pytest.mark.parametrize("args, message", [
    (["crawl", "article"], "spider 'article' needs -a url=URL[,URL…]"),
    (["crawl"], "give exactly one spider: scrapy crawl <spider> (known: article, cumt"),
    (["crawl", "cumt", "-a", "lists"], "Invalid -a value, use -a NAME=VALUE"),
    (["crawlall", "-a", "lists"], "Invalid -a value, use -a NAME=VALUE"),
    (["crawlall", "--shard", "3/2"], "--shard"),
])
def test_a_crawl_that_cannot_start_says_so_in_one_line_and_exits_1(tmp_path, args, message):
    result = scrapy(*args, "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr[-2000:]
    assert not list(tmp_path.iterdir())  # nothing started, nothing written


# ---- 8. discover: the URL given may be a column itself; --max-pages reads as help -----------------
def test_discover_given_a_column_list_finds_it_and_stays_quiet_about_dead_links(mirror, tmp_path):
    column = "http://www.demo-wp.edu.cn/11/list.htm"
    build_webplus_site(mirror.add, "www.demo-wp.edu.cn", "11", articles=12, per_page=10)
    # its navigation leads to 40 pages that answer 404
    page = mirror.routes[column]["body"].decode("utf-8")
    nav = "".join(f'<a href="/dead{n}/main.htm">栏目{n}</a>' for n in range(40))
    mirror.add(column, page.replace('<div class="nav" frag="窗口1">', f'<div class="nav" frag="窗口1">{nav}'))
    _, env = crawl_command(mirror, tmp_path, "x")
    result = scrapy("discover", column, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                    "-s", "RETRY_TIMES=0", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    entry = yaml.safe_load("sources:\n" + result.stdout)["sources"]["demo_wp"]
    assert entry["lists"] == [{"url": column, "cms": "webplus"}]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "1 column lists found" in lines[0] and "HTTP 404 ×40" in lines[0], result.stderr


def test_discover_help_shows_max_pages_intact():
    from scrapy.commands import ScrapyHelpFormatter
    from scrapy.utils.project import get_project_settings as settings

    from newscrawl.commands.discover import Command

    command = Command()
    command.settings = settings()
    parser = argparse.ArgumentParser(formatter_class=ScrapyHelpFormatter, prog="scrapy discover")
    command.add_options(parser)
    text = " ".join(parser.format_help().split())
    assert "--max-pages N read at most N pages of the site (default NEWSCRAWL_DISCOVER_MAX_PAGES, 60)" in text
    assert "Pages To Read" not in text


# ---- 9. "already archived" is what is archived; given-up articles are said to be -----------------
def list_page(links):
    rows = "".join(f"<li><a href='{u}'>新闻{n}</a><span>2025-01-0{n + 1}</span></li>" for n, u in enumerate(links))
    return f"<html><body><ul class='news_list'>{rows}</ul></body></html>"


def crawl_list_in_process(tmp_path, archived, given_up, new=()):
    """parse_list of a site spider over one list page, with a state that archived / gave up these URLs."""
    from scrapy.http import HtmlResponse

    from newscrawl.spiders.site import SiteSpider
    from newscrawl.summary import summarize
    from newscrawl.urls import urlname

    listing = "http://xwzx.cumt.edu.cn/881/list.htm"
    crawler = get_crawler(SiteSpider, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path), "NEWSCRAWL_MAX_ATTEMPTS": 2})
    spider = SiteSpider.from_crawler(crawler, lists=listing)
    crawler.spider = spider
    for url in archived:
        spider.store.record(urlname=urlname(url), url=url, source="cumt", path=f"cumt/{urlname(url)}.md",
                            fingerprint=url, published=None)
    for url in given_up:
        for _ in range(2):
            spider.store.record_failure(urlname=urlname(url), url=url, source="cumt", kind="extract_failed")
    request = Request(listing, meta={"newscrawl_source": "cumt", "newscrawl_kind": "list"})
    response = HtmlResponse(listing, body=list_page([*archived, *given_up, *new]).encode(), encoding="utf-8",
                            request=request)
    list(spider.parse_list(response, cms="auto", page_no=1, column=listing))
    stats = crawler.stats.get_stats()
    stats["newscrawl/lists/read"] = 1
    spider.store.close()
    return summarize(stats, 0.5)


ARTICLES = [f"http://xwzx.cumt.edu.cn/2025/01{n:02d}/c881a{n}/page.htm" for n in range(1, 6)]


def test_given_up_articles_are_not_counted_as_already_archived(tmp_path):
    summary = crawl_list_in_process(tmp_path, archived=ARTICLES[:2], given_up=ARTICLES[2:])
    assert (summary["already_archived"], summary["given_up_earlier"]) == (2, 3)
    assert summary["status"] == "ok"
    from newscrawl.summary import format_summary

    assert "already archived 2, failed 0, given up 0, revised 0, withdrawn 0, given up earlier 3" in \
        format_summary("cumt", summary)


def test_a_source_whose_every_article_was_given_up_is_broken_not_ok(tmp_path):
    summary = crawl_list_in_process(tmp_path, archived=[], given_up=ARTICLES)
    assert summary["already_archived"] == 0 and summary["given_up_earlier"] == 5
    assert summary["status"] == "broken" and summary["exit_code"] == 3
    assert "given up after failing in earlier runs" in summary["problems"][0]


# ---- 10. read commands never create a state ------------------------------------------------------
@pytest.mark.parametrize("command", [["state"], ["state", "--prune"], ["report", "--out", "{tmp}/r.html"]])
def test_read_commands_with_a_mistyped_output_folder_say_there_is_no_state(tmp_path, command):
    typo = tmp_path / "ouptut"
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = scrapy(*args, "-s", f"NEWSCRAWL_OUTPUT_DIR={typo}", timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"no state at {typo}/.newscrawl-state.sqlite3: nothing was crawled there" in lines[0]
    assert not typo.exists() and not (tmp_path / "r.html").exists()


def test_rebuild_may_create_the_state_only_from_an_archive_folder_that_exists(tmp_path):
    from scrapy.settings import Settings

    from newscrawl.state import StateError, open_store

    settings = Settings({"NEWSCRAWL_OUTPUT_DIR": str(tmp_path / "nowhere"), "NEWSCRAWL_STATE_TIMEOUT": 5})
    with pytest.raises(StateError, match="no state at"):
        open_store(settings, create=False)
    assert not (tmp_path / "nowhere").exists()


# ---- 11. the health page: one row per source (archive folder); it fits a laptop screen ------------
def test_an_article_runs_history_rows_are_the_sources_it_wrote_for(tmp_path):
    from newscrawl.report import render_report
    from newscrawl.spiders.article import ArticleSpider
    from newscrawl.state import SqliteStateStore
    from newscrawl.summary import CrawlSummary

    import newscrawl.settings as project

    # the project's settings: NEWSCRAWL_HISTORY_DAYS's default is written once, in settings.py
    defaults = {k: v for k, v in vars(project).items() if k.isupper()}
    crawler = get_crawler(ArticleSpider, {**defaults, "NEWSCRAWL_OUTPUT_DIR": str(tmp_path)})
    spider = ArticleSpider.from_crawler(crawler, url="http://news.uestc.edu.cn/info/1/2.htm")
    crawler.spider = spider
    summary = CrawlSummary.from_crawler(crawler)
    for key, value in {"articles/requested": 2, "articles/written": 2}.items():
        crawler.stats.set_value(f"newscrawl/{key}", value)
        crawler.stats.set_value(f"newscrawl/source/uestc/{key}", value)
    crawler.stats.set_value("newscrawl/source/news.whu.edu.cn/articles/requested", 1)
    crawler.stats.set_value("newscrawl/source/news.whu.edu.cn/articles/failed", 1)
    crawler.stats.set_value("newscrawl/source/news.whu.edu.cn/failed/http_404", 1)
    spider.store.close()
    summary.spider_closed(spider, "finished")
    store = SqliteStateStore(tmp_path / ".newscrawl-state.sqlite3")
    runs = {run["source"]: run for run in store.runs()}
    store.close()
    assert set(runs) == {"uestc", "news.whu.edu.cn"}  # not "article"
    assert (runs["uestc"]["status"], runs["uestc"]["articles_written"]) == ("ok", 2)
    assert runs["news.whu.edu.cn"]["status"] == "broken"
    page = lxml_html.fromstring(render_report(["uestc", "cumt"], list(runs.values())))
    cells = {row.findtext("th"): [td.text_content() for td in row.findall("td")]
             for row in page.xpath("//table[@id='sources']/tbody/tr")}
    assert cells["uestc"][3] == "2" and set(cells) == {"uestc", "cumt", "news.whu.edu.cn"}


def test_the_report_leaves_out_rows_older_versions_recorded_under_a_spiders_name(tmp_path):
    from newscrawl.state import SqliteStateStore

    store = SqliteStateStore(tmp_path / ".newscrawl-state.sqlite3")
    now = time.time()
    for source in ("article", "crawlall", "site", "cumt"):
        store.record_run(source=source, started_at=now - 60, duration_s=1.0, status="ok", exit_code=0,
                         articles_written=1)
    store.close()
    out = tmp_path / "report.html"
    made = scrapy("report", "--out", out, "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", timeout=60)
    assert made.returncode == 0, made.stderr[-2000:]
    names = lxml_html.parse(str(out)).getroot().xpath("//table[@id='sources']/tbody/tr/th/text()")
    assert "cumt" in names and not {"article", "crawlall", "site"} & set(names)


def test_the_health_page_fits_a_1400_px_screen_without_scrolling_sideways(tmp_path):
    from newscrawl.report import render_report
    from test_report import headless

    now = time.time()
    names = ["cumt", "uestc", "jwc.hdu.edu.cn", "graduate-school.very-long-university-name.edu.cn", "xjtu"]
    problem = ("its list pages yielded no article link at all (layout changed, or pages failed); "
               "12 of 40 articles failed (http_503 7, timeout 3, garbled_text 2); the site blocked the crawler "
               "(3 anti-bot pages)")
    runs = [{"source": n, "started_at": now - d * 86400, "duration_s": 3.0, "status": "broken" if d < 3 else "ok",
             "exit_code": 3 if d < 3 else 0, "articles_written": d % 7, "counts": {}, "failures": {},
             "problems": [problem] if d < 3 else []} for n in names for d in range(0, 90, 2)]
    page = render_report(names, runs, now=now)
    probe = page.replace("</body>", "<script>document.body.setAttribute('data-fits', "
                                    "String(document.documentElement.scrollWidth <= window.innerWidth));"
                                    "document.body.setAttribute('data-width', String(document.documentElement."
                                    "scrollWidth));</script></body>")
    (tmp_path / "probe.html").write_text(probe, encoding="utf-8")
    dom = headless((tmp_path / "probe.html").as_uri(), "--window-size=1400,900", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = lxml_html.fromstring(dom.stdout).find(".//body")
    assert body.get("data-fits") == "true", f"the page is {body.get('data-width')} px wide"


def test_read_commands_create_no_tables_in_an_empty_postgres_database(postgres_url):
    from scrapy.settings import Settings

    from newscrawl.state import StateError, open_store

    settings = Settings({"NEWSCRAWL_STATE_URL": postgres_url, "NEWSCRAWL_STATE_TIMEOUT": 5})
    with pytest.raises(StateError, match="no state in database postgresql://.*: nothing was crawled with it yet"):
        open_store(settings, create=False)
    with pytest.raises(StateError):
        open_store(settings, create=False)  # still none: the first look created nothing
    open_store(settings).close()  # a crawl creates it
    open_store(settings, create=False).close()


def test_thepaper_counts_given_up_articles_as_given_up_not_as_archived(tmp_path):
    """The 澎湃号 lists take the same skip as column lists: a given-up article is not 'already archived'."""
    from newscrawl.extract.thepaper import article_url
    from newscrawl.urls import urlname

    thepaper = SourceSpiderLoader.from_settings(get_project_settings()).load("thepaper")
    crawler = get_crawler(thepaper, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path), "NEWSCRAWL_MAX_ATTEMPTS": 2})
    spider = thepaper.from_crawler(crawler)
    crawler.spider = spider
    archived, given_up = article_url(1001), article_url(1002)
    spider.store.record(urlname=urlname(archived), url=archived, source="thepaper",
                        path=f"thepaper/{urlname(archived)}.md", fingerprint=archived, published=None)
    for _ in range(2):
        spider.store.record_failure(urlname=urlname(given_up), url=given_up, source="thepaper", kind="extract_failed")
    list(spider.follow_entries([{"contId": 1001}, {"contId": 1002}], "北方工业大学"))
    spider.store.close()
    stats = crawler.stats.get_stats()
    assert (stats.get("newscrawl/articles/already_archived"), stats.get("newscrawl/articles/given_up_earlier")) == (1, 1)
