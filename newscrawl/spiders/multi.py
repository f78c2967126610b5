"""`crawlall`'s spider: many configured sources in one engine, each reported on its own."""

from __future__ import annotations

from newscrawl.config import Source
from newscrawl.spiders.base import NewsSpider, split_arg


class MultiSourceSpider(NewsSpider):
    """-a sources=NAME,NAME: their list pages in one crawl; per-domain politeness from the download slots.

    Every request carries its source in meta, every count goes to newscrawl/source/<name>/…, and
    the summary extension writes one block, one verdict and one .last-crawl.json per source.
    """

    name = "crawlall"
    internal = True  # run by `scrapy crawlall` only: not listed, not `scrapy crawl`-able (spiderloader.py)
    arguments = {"sources": "the configured sources to crawl (default: all but thepaper accounts)"}

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_names_arg = split_arg(sources)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        names = spider.source_names_arg or [n for n, s in spider.sources.items() if s.cms != "thepaper"]
        unknown = [n for n in names if n not in spider.sources]
        if unknown:
            raise SystemExit(f"newscrawl: unknown source {unknown[0]!r}")
        spider.source_names = names
        spider.sources_by_name.update({n: spider.sources[n] for n in names})
        return spider

    def run_sources(self) -> list[Source]:
        return [self.sources[n] for n in self.source_names]

    async def start(self):
        for request in self.retry_requests(self.run_sources()):
            yield request
        for request in self.recheck_requests(self.run_sources()):
            yield request
        for source in self.run_sources():
            pages = [(url, "auto") for url in self.list_args] if self.list_args else \
                [(lp.url, lp.cms) for lp in source.lists]
            for url, cms in pages:
                yield self.list_request(url, cms, page_no=1, column=url, source=source)
