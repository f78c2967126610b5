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


class CheckedCommand:
    """How crawl, crawlall and reextract start: Ctrl-C handled from the first line, usage errors in
    one line (exit 1), the log file checked, then the output folder, the state and the sources'
    locks checked before anything is crawled. Mixed in before Scrapy's command class."""

    def process_options(self, args, opts):
        # first thing: a Ctrl-C from here to the end of the process ends it with exit 5 (interrupt.py)
        self.interrupts = Interrupts().install()
        try:
            super().process_options(args, opts)  # -a NAME=VALUE, -o/-O
            self.command_options(opts)
            prepare_log_file(self.settings)  # before Scrapy opens it (a traceback, exit 1, no log)
        except (UsageError, PreflightError) as exc:
            usage_error(str(exc))

    def command_options(self, opts) -> None:
        """The command's own options, read after Scrapy's (raise UsageError for a bad one)."""

    def checked_start(self, check) -> list[str] | None:
        """check() -> the sources to crawl (it raises PreflightError for bad arguments); then the output
        folder, the state and the sources' locks. The sources another process is crawling, or None,
        with the exit code set, when nothing may start."""
        try:
            sources = check()
            check_output_dir(self.settings)
            check_state(self.settings)
            busy = lock_sources(self.settings, sources)
        except PreflightError as exc:
            print(f"newscrawl: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return None
        self.interrupts.attach(self.crawler_process)
        if interrupted_before_start(self.interrupts):
            self.exitcode = EXIT_INTERRUPTED
            return None
        return busy

    def exit_code_without_summary(self) -> int:
        """A source whose crawl left no summary: interrupted (5), or it failed to run (1)."""
        return EXIT_INTERRUPTED if self.interrupts.received else 1


class Command(CheckedCommand, ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            known = ", ".join(sorted(self.crawler_process.spider_loader.list()))
            usage_error(f"give exactly one spider: scrapy crawl <spider> (known: {known})")
        name = args[0]

        def check() -> list[str]:
            spidercls = spider_class(self.crawler_process, name)
            check_arguments(spidercls, opts.spargs)
            source = getattr(spidercls, "source_name", None)  # the article and site spiders lock none
            return [source] if source else []

        busy = self.checked_start(check)
        if busy is None:
            return
        if busy:
            print(f"newscrawl: {name} is already being crawled by another process: this run does nothing",
                  file=sys.stderr)
            self.exitcode = EXIT_LOCKED
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
