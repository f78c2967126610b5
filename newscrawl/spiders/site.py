"""`scrapy crawl site -a lists=URL`: any WebPlus or VSB column nobody configured."""

from __future__ import annotations

from newscrawl.spiders.base import NewsSpider


class SiteSpider(NewsSpider):
    """Detects the CMS from the list page, follows its rows and pagination, not its navigation."""

    name = "site"
    required_arguments = ("lists",)  # no configured list pages: without -a lists it crawls nothing
