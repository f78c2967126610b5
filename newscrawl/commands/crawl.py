"""`scrapy crawl` that checks before it starts and exits non-zero when the source is broken or blocked."""

from __future__ import annotations

import logging
import signal
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.preflight import PreflightError, check_arguments, check_output_dir, check_state, lock_sources, spider_class
from newscrawl.summary import EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_USAGE

logger = logging.getLogger("newscrawl.summary")


def keep_signals_after_the_crawl() -> None:
    """A Ctrl-C once the crawl has stopped must not kill the process before it reports its exit status.

    Scrapy installs its own handlers while the crawl runs; the reactor restores these afterwards.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)


def finish_without_close(crawler, name: str) -> int:
    """A second Ctrl-C stops the reactor before spider_closed: summarize from the stats anyway."""
    from newscrawl.summary import CrawlSummary

    try:
        extension = crawler.get_extension(CrawlSummary)
    except Exception:
        extension = None
    if extension is None:
        return EXIT_INTERRUPTED
    summary = extension.finish(name, "killed")
    return summary["exit_code"] or EXIT_INTERRUPTED


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        name = args[0]
        try:
            spidercls = spider_class(self.crawler_process, name)
            check_arguments(spidercls, opts.spargs)
            check_output_dir(self.settings)
            check_state(self.settings)
            source = getattr(spidercls, "source_name", None)
            busy = lock_sources(self.settings, [source]) if source else []
        except PreflightError as exc:
            print(f"newscrawl: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        if busy:
            print(f"newscrawl: {name} is already being crawled by another process: this run does nothing",
                  file=sys.stderr)
            self.exitcode = EXIT_LOCKED
            return
        crawler = self._create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        keep_signals_after_the_crawl()
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_USAGE
            return
        summary = getattr(crawler, "newscrawl_summary", None)
        self.exitcode = summary["exit_code"] if summary else finish_without_close(crawler, name)
