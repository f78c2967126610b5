"""Finds the project's spiders: the coded ones plus one per source in the sources file."""

from __future__ import annotations

import sys

from scrapy.spiderloader import SpiderLoader

from newscrawl.config import ConfigError, load_sources
from newscrawl.spiders.sources import spider_class_for


class SourceSpiderLoader(SpiderLoader):
    def __init__(self, settings):
        super().__init__(settings)
        try:
            sources = load_sources(settings.get("NEWSCRAWL_SOURCES_FILE") or None)
        except ConfigError as exc:
            # one clear line, no traceback: the crawl cannot start with a broken sources file
            sys.exit(f"newscrawl: config error: {exc}")
        for name, source in sources.items():
            if name in self._spiders:
                sys.exit(f"newscrawl: config error: sources.{name}: the name is taken by a built-in spider")
            self._spiders[name] = spider_class_for(source)
            self._found[name].append((__name__, self._spiders[name].__name__))
