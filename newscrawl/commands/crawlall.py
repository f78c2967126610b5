"""`scrapy crawlall`: every configured source in one run; one failing source never stops the others."""

from __future__ import annotations

import logging

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.config import load_sources
from newscrawl.commands.crawl import CheckedCommand, finish_without_close
from newscrawl.preflight import check_arguments
from newscrawl.summary import EXIT_LOCKED
from newscrawl.spiders.multi import MultiSourceSpider
from newscrawl.shard import ShardError, in_shard, parse_shard

logger = logging.getLogger("newscrawl.summary")


class Command(CheckedCommand, BaseRunSpiderCommand):
    requires_project = True

    def syntax(self):
        return "[options] [--shard I/N]"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--shard", metavar="I/N", help="crawl only the sources in shard I of N (by a stable hash of the name)")

    def command_options(self, opts):
        try:
            self.shard = parse_shard(opts.shard) if opts.shard else None
        except ShardError as exc:
            raise UsageError(str(exc)) from None

    def short_desc(self):
        return "Crawl every source in the sources file; exit non-zero if any is broken"

    def run(self, args, opts):
        sources = load_sources(self.settings.get("NEWSCRAWL_SOURCES_FILE") or None)
        if self.shard:
            sources = {name: s for name, s in sources.items() if in_shard(name, *self.shard)}
            logger.info("crawlall: shard %d/%d: %d sources", *self.shard, len(sources))

        def check() -> list[str]:
            for name in sources:
                check_arguments(self.crawler_process.spider_loader.load(name), opts.spargs)
            return list(sources)

        busy = self.checked_start(check)
        if busy is None:
            return
        codes = {}
        for name in busy:
            logger.warning("crawlall: %s is already being crawled by another process: skipped", name)
        todo = [name for name in sources if name not in busy]
        # one engine for every WebPlus/VSB/generic source (thepaper accounts page an API: own crawler)
        together = [name for name in todo if sources[name].cms != "thepaper"]
        apart = [name for name in todo if sources[name].cms == "thepaper"]
        crawlers = {}
        if together:
            engine = self.crawler_process.create_crawler(MultiSourceSpider)
            # politeness stays per site (CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY per download
            # slot); the engine as a whole may work on many sites at once
            wanted = max(engine.settings.getint("CONCURRENT_REQUESTS"), min(256, 4 * len(together)))
            engine.settings.set("CONCURRENT_REQUESTS", wanted, priority="project")
            self.crawler_process.crawl(engine, sources=",".join(together), **opts.spargs)
        for name in apart:
            crawlers[name] = self.crawler_process.create_crawler(name)
            self.crawler_process.crawl(crawlers[name], **opts.spargs)
        self.interrupts.run(self.crawler_process)
        for crawler in list(crawlers.values()) + ([engine] if together else []):
            if not (getattr(crawler, "newscrawl_summary", None) or getattr(crawler, "newscrawl_summaries", None)):
                finish_without_close(crawler)
        summaries = {name: getattr(crawler, "newscrawl_summary", None) for name, crawler in crawlers.items()}
        if together:
            summaries.update(getattr(engine, "newscrawl_summaries", None) or {})
        for name in todo:
            summary = summaries.get(name)
            codes[name] = summary["exit_code"] if summary else self.exit_code_without_summary()
        statuses = {name: (summaries.get(name) or {}).get("status", "failed") for name in codes}
        bad = {n: c for n, c in codes.items() if c}
        if bad:
            logger.error("crawlall: %d of %d sources need attention: %s", len(bad), len(codes),
                         ", ".join(f"{n} ({statuses[n]})" for n in bad))
        elif codes:
            logger.info("crawlall: all %d sources ok", len(codes))
        if busy:
            # another run of these is going on: nothing wrong with them, and nothing this run can tell
            logger.warning("crawlall: skipped %d source%s another process is crawling: %s", len(busy),
                           "" if len(busy) == 1 else "s", ", ".join(busy))
        # the worst status of what was crawled; EXIT_LOCKED (6) only when nothing was: the run did nothing
        self.exitcode = max(codes.values()) if codes else (EXIT_LOCKED if busy else 0)
