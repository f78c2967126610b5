"""What every pipeline shares: counting outcomes, dropping with a reason, failing with a kind."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem
from newscrawl.outcomes import article_failed, count, one_line, recheck_failed

logger = logging.getLogger("newscrawl.pipelines")


class ArticleFailed(DropItem):
    """The article could not be archived (not a decision): counted as failed, retried next run."""

    def __init__(self, kind: str, message: str):
        super().__init__(message, log_level="DEBUG")  # outcomes.article_failed logged it already
        self.kind = kind


class CountingPipeline:
    """A pipeline stage: process() does the work; any unexpected error becomes a counted failure."""

    failure_kind = "pipeline_failed"  # what an unexpected exception in this stage is counted as
    handles: tuple[type, ...] = (ArticleItem,)  # other items (a FileRetry) pass through untouched

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, self.handles):
            return item
        try:
            return self.process(item)
        except DropItem:
            raise
        except Exception as exc:
            self.fail(item, self.kind_of(exc), f"{type(exc).__name__}: {exc}")

    def process(self, item):
        raise NotImplementedError

    def kind_of(self, exc: Exception) -> str:
        return self.failure_kind

    def count(self, key: str, n: int = 1, item=None) -> None:
        count(self.stats, key, n, getattr(item, "source", None))

    def drop(self, item, reason: str, detail: str, level: str = "WARNING"):
        """A decision (duplicate, empty page, login page): counted under its reason, one log line.

        On a re-check the archived article stays as it is: a failed re-check (as in fail()).
        """
        if getattr(item, "recheck", False):
            recheck_failed(self.stats, item.url, item.source, reason, detail)
            raise DropItem(f"{reason}: {one_line(detail)} <{item.url}>", log_level="DEBUG")
        self.count(f"dropped/{reason}", item=item)
        raise DropItem(f"{reason}: {one_line(detail)} <{item.url}>", log_level=level)

    def fail(self, item, kind: str, reason: str):
        """A failure: counted as failed by kind, logged once, queued for a retry in the state.

        A re-check that fails leaves the archived article as it is: counted as rechecks/failed and
        looked at again at its next turn, never queued as a failed article.
        """
        if getattr(item, "recheck", False):
            recheck_failed(self.stats, item.url, item.source, kind, reason)
        else:
            article_failed(self.crawler, url=item.url, source=item.source, kind=kind, reason=reason,
                           column=getattr(item, "column", ""), cms=item.cms or "auto")
        raise ArticleFailed(kind, f"{kind}: {one_line(reason)} <{item.url}>")
