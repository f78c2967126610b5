"""Deduplication: by urlname (this crawl or an earlier run) and by content fingerprint (reposts)."""

from __future__ import annotations

from newscrawl.pipelines.base import CountingPipeline
from newscrawl.state import store_for


class DedupePipeline(CountingPipeline):
    failure_kind = "state_failed"  # the only thing here that can fail is reading the state

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen_urlnames: set[str] = set()
        self.seen_fingerprints: dict[str, str] = {}

    def open_spider(self):
        self.state = store_for(self.crawler)

    def process(self, item):
        full = bool(getattr(self.crawler.spider, "full", False))
        if item.urlname in self.seen_urlnames:
            self.drop(item, "duplicate_url", "already seen in this crawl", level="INFO")
        self.seen_urlnames.add(item.urlname)
        if item.recheck:
            return item  # the archived article itself, looked at again: neither new nor a repost
        if not full and self.state.has(item.urlname):
            self.count("articles/already_archived", item=item)
            self.drop(item, "already_archived", "already in the archive (use -a full=1 to re-crawl)", level="INFO")
        if not item.fingerprint:
            return item  # too little content to call it a copy of anything (archive.content_fingerprint)
        twin = self.seen_fingerprints.get(item.fingerprint)
        if twin is None:
            stored = self.state.urlname_with_fingerprint(item.fingerprint)
            twin = stored if stored != item.urlname else None
        if twin is not None:
            # recorded, so that the next run does not fetch the repost again (and again, hourly)
            self.state.record_duplicate(urlname=item.urlname, url=item.url, source=item.source,
                                        fingerprint=item.fingerprint)
            self.drop(item, "duplicate_content", f"same text, pictures and attachments as archived article {twin}",
                      level="INFO")
        self.seen_fingerprints[item.fingerprint] = item.urlname
        return item
