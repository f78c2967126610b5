"""newscrawl: a Scrapy crawler for Chinese university news, writing archive Markdown."""

__version__ = "0.1.0"
