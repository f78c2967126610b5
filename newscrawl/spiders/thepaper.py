"""thepaper.cn (澎湃号): articles by -a url=, and a 澎湃号 account's articles through its list API."""

from __future__ import annotations

import json

import scrapy

from newscrawl.extract.thepaper import article_url, next_data
from newscrawl.spiders.base import NewsSpider, split_arg
from newscrawl.urls import urlname

PAGE_SIZE = 20


class ThePaperSpider(NewsSpider):
    """-a url=URL[,URL]: single articles.  -a pph=ID[,ID]: every article of those 澎湃号 accounts."""

    arguments = {"url": "the article URLs to fetch", "pph": "the 澎湃号 account ids to follow"}

    def __init__(self, *args, url=None, pph=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = split_arg(url)
        self.pph_args = split_arg(pph)

    async def start(self):
        pph_ids = self.pph_args or list(self.source.pph if self.source else ())
        if not (self.urls or pph_ids or self.list_pages()):
            self.logger.error("nothing to crawl: give -a url=URL or -a pph=ID, or set pph in sources.yaml")
        for url in self.urls:
            self.count("articles/requested")
            yield self.article_request(url, "thepaper").replace(dont_filter=True)
        for pph_id in pph_ids:
            yield self.pph_request(pph_id, page_no=1, start_time=None)
        for url, _ in self.list_pages():
            yield scrapy.Request(url, callback=self.parse_channel, errback=self.on_error,
                                 meta={"newscrawl_kind": "list"})

    def pph_request(self, pph_id: str, page_no: int, start_time) -> scrapy.Request:
        payload = {"pageSize": PAGE_SIZE, "pageNum": page_no, "contType": 0, "excludeContIds": [],
                   "pphId": str(pph_id), "startTime": start_time or ""}
        return scrapy.Request(
            self.settings.get("NEWSCRAWL_THEPAPER_PPH_API"), method="POST", body=json.dumps(payload), dont_filter=True,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            callback=self.parse_pph, errback=self.on_error,
            cb_kwargs={"pph_id": pph_id, "page_no": page_no}, meta={"newscrawl_kind": "list"},
        )

    def parse_pph(self, response, pph_id: str, page_no: int):
        self.count("lists/read")
        try:
            data = json.loads(response.text).get("data") or {}
        except (ValueError, AttributeError):
            self.count("lists/unreadable")
            self.logger.warning("澎湃号 %s page %d: the API did not answer JSON", pph_id, page_no)
            return
        entries = data.get("list") or []
        yield from self.follow_entries(entries, response.url)
        if data.get("hasNext") and entries and not (self.max_pages and page_no >= self.max_pages):
            yield self.pph_request(pph_id, page_no + 1, data.get("startTime"))

    def parse_channel(self, response):
        """A list page such as /list_25488: its __NEXT_DATA__ holds the entries."""
        self.count("lists/read")
        try:
            entries = next_data(response.selector)["props"]["pageProps"]["data"]["list"]
        except (KeyError, TypeError):
            entries = []
        yield from self.follow_entries(entries, response.url)

    def follow_entries(self, entries, list_url: str):
        links = [article_url(e["contId"]) for e in entries if isinstance(e, dict) and e.get("contId")]
        self.count("articles/found", len(links))
        if not links:
            self.count("lists/empty")
            self.logger.warning("thepaper list %s has no articles", list_url)
        for link in links:
            if not self.full and self.store.has(urlname(link)):
                self.count("articles/already_archived")
                continue
            if self.new_article_link(link):
                self.count("articles/new")
                yield self.article_request(link, "thepaper")
