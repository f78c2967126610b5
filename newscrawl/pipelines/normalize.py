"""Normalization: dates to UTC+8, URLs absolute and canonical, urlname, the Markdown body."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urljoin

from newscrawl.archive import content_fingerprint, render_body
from newscrawl.dates import CHINA_TZ, to_china_time
from newscrawl.pipelines.base import CountingPipeline, logger
from newscrawl.urls import canonical_url, is_http_url, urlname


# A "publication date" further ahead than this is a page's event date or a typo, not when it was published.
FUTURE_SLACK = timedelta(days=1)


class NormalizePipeline(CountingPipeline):
    failure_kind = "normalize_failed"

    def process(self, item):
        item.url = canonical_url(item.url)
        item.urlname = urlname(item.url)
        crawled = to_china_time(item.crawled_at) or datetime.now(CHINA_TZ)
        item.crawled_at = crawled.replace(microsecond=0).isoformat()
        published = to_china_time(item.published)
        if published is not None and published > crawled + FUTURE_SLACK:
            logger.info("publication date %s is in the future: not the publication date <%s>", published, item.url)
            self.count("date_future", item=item)
            published = None
        if published is None:
            # FORMAT.md: only a page that states no date falls back to the crawl time, counted
            published = crawled.replace(microsecond=0)
            item.date_from_crawl = True
            self.count("date_fallback", item=item)
            logger.debug("no publication date on the page, using the crawl time <%s>", item.url)
        item.published = published.isoformat()
        item.images = self._absolute(item.images, item.url)
        item.attachments = [
            {"url": url, "name": a.get("name") or ""}
            for a in item.attachments
            for url in self._absolute([a.get("url")], item.url)
        ]
        if item.views is not None:
            try:
                item.views = int(item.views)
            except (TypeError, ValueError):
                item.views = None
        item.body = render_body(item.paragraphs, item.images, item.url, item.attachments)
        item.fingerprint = content_fingerprint(item.body, item.title)
        return item

    @staticmethod
    def _absolute(urls, base: str) -> list[str]:
        out = []
        for url in urls:
            if not url:
                continue
            absolute = urljoin(base, url.strip())
            if is_http_url(absolute) and absolute not in out:
                out.append(absolute)
        return out
