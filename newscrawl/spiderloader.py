"""Finds the project's spiders: the coded ones plus one per source in the sources file.

It implements Scrapy's spider-loader interface (from_settings, load, list, find_by_request) around
Scrapy's own SpiderLoader, so nothing depends on that class's internals. `crawlall`'s engine
spider (spiders/multi.py) is not a spider a user can run: `scrapy crawlall` runs it, `scrapy list`
does not show it and `scrapy crawl crawlall` is an unknown spider.
"""

from __future__ import annotations

import sys

from scrapy.spiderloader import SpiderLoader

from newscrawl.config import ConfigError, load_sources
from newscrawl.spiders.sources import spider_class_for


class SourceSpiderLoader:
    def __init__(self, settings):
        coded = SpiderLoader.from_settings(settings)
        classes = {name: coded.load(name) for name in coded.list()}
        # `internal` spiders are run by a command of their own, never by name
        self.spiders = {name: cls for name, cls in classes.items() if not getattr(cls, "internal", False)}
        try:
            sources = load_sources(settings.get("NEWSCRAWL_SOURCES_FILE") or None)
        except ConfigError as exc:
            # one clear line, no traceback: the crawl cannot start with a broken sources file
            sys.exit(f"newscrawl: config error: {exc}")
        for name, source in sources.items():
            if name in classes:
                sys.exit(f"newscrawl: config error: sources.{name}: the name is taken by a built-in spider")
            self.spiders[name] = spider_class_for(source)

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def load(self, spider_name: str):
        try:
            return self.spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return list(self.spiders)

    def find_by_request(self, request) -> list[str]:
        return [name for name, cls in self.spiders.items() if cls.handles_request(request)]
