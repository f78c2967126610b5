"""What every pipeline shares: its crawler, counting outcomes and dropping with a logged reason."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

logger = logging.getLogger("newscrawl.pipelines")


class CountingPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def count(self, key: str, n: int = 1) -> None:
        self.stats.inc_value(f"newscrawl/{key}", n)

    def drop(self, item, reason: str, detail: str, level: str = "WARNING"):
        """Count the drop under its reason and stop the item; Scrapy logs the message."""
        self.count(f"dropped/{reason}")
        raise DropItem(f"{reason}: {detail} <{item.url}>", log_level=level)
