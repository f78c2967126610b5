"""Issue 16: what a new user meets in the first five minutes is true (one test per README statement that was not)."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import BackoffRetryMiddleware
from newscrawl.spiderloader import SourceSpiderLoader


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
