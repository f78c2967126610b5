"""`scrapy crawl article -a url=URL,URL`: fetch and extract those articles, CMS detected per page."""

from __future__ import annotations

from newscrawl.items import ArticleItem
from newscrawl.spiders.base import NewsSpider, split_arg
from newscrawl.spiders.thepaper import relabel_by_account


class ArticleSpider(NewsSpider):
    name = "article"
    arguments = {"url": "the article URLs to fetch (comma-separated)"}
    required_arguments = ("url",)  # without it the run would crawl nothing (checked before it starts)

    def __init__(self, *args, url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = split_arg(url)

    async def start(self):
        if not self.urls:
            self.logger.error("nothing to crawl: give -a url=URL[,URL…]")
        for url in self.urls:
            self.count("articles/requested", source=self.source_for(url).name)  # per folder: the health page
            request = self.article_request(url)
            yield request.replace(dont_filter=True)

    def parse_article(self, response, cms: str = "auto"):
        for out in super().parse_article(response, cms):
            if isinstance(out, ArticleItem) and out.cms == "thepaper":
                # a 澎湃号 article is its account's school's, whichever spider fetched it
                source = self.source_for(out.url)
                relabel_by_account(out, response.text, source, {a.id: a for a in source.pph_accounts})
            yield out
