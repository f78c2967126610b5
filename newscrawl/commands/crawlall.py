"""`scrapy crawlall`: every configured source in one run; one failing source never stops the others."""

from __future__ import annotations

import logging

from scrapy.commands import BaseRunSpiderCommand

from newscrawl.config import load_sources

logger = logging.getLogger("newscrawl.summary")


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self):
        return "[options]"

    def short_desc(self):
        return "Crawl every source in the sources file; exit non-zero if any is broken"

    def run(self, args, opts):
        sources = load_sources(self.settings.get("NEWSCRAWL_SOURCES_FILE") or None)
        crawlers = {}
        for name in sources:
            crawlers[name] = self.crawler_process.create_crawler(name)
            self.crawler_process.crawl(crawlers[name], **opts.spargs)
        self.crawler_process.start()
        codes = {}
        for name, crawler in crawlers.items():
            summary = getattr(crawler, "newscrawl_summary", None)
            codes[name] = summary["exit_code"] if summary else 1
        bad = {n: c for n, c in codes.items() if c}
        if bad:
            logger.error("crawlall: %d of %d sources need attention: %s", len(bad), len(codes),
                         ", ".join(f"{n} ({getattr(crawlers[n], 'newscrawl_summary', {}).get('status', 'failed')})" for n in bad))
        else:
            logger.info("crawlall: all %d sources ok", len(codes))
        self.exitcode = max(codes.values(), default=0)
