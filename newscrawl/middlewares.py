"""Downloader middleware: recognises anti-bot walls (瑞数, HTTP 412) and oversized bodies."""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

from newscrawl.extract.detect import is_antibot_page
from newscrawl.urls import host_of

logger = logging.getLogger(__name__)


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
        raise IgnoreRequest(f"anti-bot page from {host}")
