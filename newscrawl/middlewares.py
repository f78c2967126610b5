"""Downloader middlewares: anti-bot walls (瑞数, HTTP 412) and retries with exponential backoff."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawl.extract.detect import is_antibot_page
from newscrawl.urls import host_of

logger = logging.getLogger(__name__)


class BlockedRequest(IgnoreRequest):
    """The site answered with an anti-bot page; counted by the middleware that raised it."""


class AntiBotMiddleware:
    """Turns a wall page into a counted, logged refusal instead of content."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.warned_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if request.meta.get("newscrawl_kind") == "views":
            return response
        if not is_antibot_page(response.status, response.body):
            return response
        host = host_of(response.url)
        stats = self.crawler.stats
        stats.inc_value("newscrawl/blocked")
        stats.inc_value(f"newscrawl/blocked_host/{host}")
        if host not in self.warned_hosts:
            self.warned_hosts.add(host)
            logger.error("%s blocked the crawler: an anti-bot page (瑞数, HTTP %d) instead of content <%s>",
                         host, response.status, response.url)
        raise BlockedRequest(f"anti-bot page from {host}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but each retry waits base * 2^(n-1) seconds first: small servers recover."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0)

    def _retry(self, request, reason):
        retry = super()._retry(request, reason)
        if retry is not None and self.base > 0:
            retry.meta["newscrawl_retry_delay"] = min(self.cap, self.base * 2 ** (retry.meta.get("retry_times", 1) - 1))
        return retry

    async def process_request(self, request):
        # runs before the request takes a downloader slot, so waiting here blocks nothing else
        delay = request.meta.pop("newscrawl_retry_delay", 0)
        if delay:
            await asyncio.sleep(delay)
        return None
