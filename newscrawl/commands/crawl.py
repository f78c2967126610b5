"""`scrapy crawl` that checks before it starts and exits non-zero when the source is broken or blocked."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.interrupt import Interrupts
from newscrawl.preflight import (
    PreflightError, check_arguments, prepare_log_file, check_output_dir, check_state, lock_sources, spider_class,
)
from newscrawl.summary import EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_USAGE


def interrupted_before_start(interrupts: Interrupts) -> bool:
    """A signal that came while the command was still checking: nothing was crawled, say so, exit 5."""
    if not interrupts.received:
        return False
    print("newscrawl: interrupted before the crawl started: nothing was crawled", file=sys.stderr)
    return True


def finish_without_close(crawler) -> None:
    """A second Ctrl-C stops the reactor before spider_closed: summarize from the stats anyway."""
    from newscrawl.summary import CrawlSummary

    try:
        extension, spider = crawler.get_extension(CrawlSummary), crawler.spider
    except Exception:  # the crawl never got as far as its spider
        return
    if extension is not None and spider is not None:
        extension.spider_closed(spider, "killed")


def usage_error(message: str) -> None:
    """A command line the crawl cannot start from: one line and exit 1, as the README says (not argparse's 2)."""
    print(f"newscrawl: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


class Command(ScrapyCrawl):
    def process_options(self, args, opts):
        # first thing: a Ctrl-C from here to the end of the process ends it with exit 5 (interrupt.py)
        self.interrupts = Interrupts().install()
        try:
            super().process_options(args, opts)  # -a NAME=VALUE, -o/-O
            prepare_log_file(self.settings)  # before Scrapy opens it (a traceback, exit 1, no log)
        except (UsageError, PreflightError) as exc:
            usage_error(str(exc))

    def run(self, args, opts):
        if len(args) != 1:
            known = ", ".join(sorted(self.crawler_process.spider_loader.list()))
            usage_error(f"give exactly one spider: scrapy crawl <spider> (known: {known})")
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
        self.interrupts.attach(self.crawler_process)
        if interrupted_before_start(self.interrupts):
            self.exitcode = EXIT_INTERRUPTED
            return
        crawler = self.crawler_process.create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.interrupts.run(self.crawler_process)
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_USAGE
            return
        if getattr(crawler, "newscrawl_summary", None) is None:
            finish_without_close(crawler)
        summary = getattr(crawler, "newscrawl_summary", None)
        self.exitcode = summary["exit_code"] if summary else EXIT_INTERRUPTED
