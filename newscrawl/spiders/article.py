"""`scrapy crawl article -a url=URL,URL`: fetch and extract those articles, CMS detected per page."""

from __future__ import annotations

from newscrawl.spiders.base import NewsSpider, split_arg
from newscrawl.spiders.thepaper import LabelsAccountArticles


class ArticleSpider(LabelsAccountArticles, NewsSpider):
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
