"""`scrapy discover URL [--write FILE]`: find a site's column lists and print its sources.yaml entry."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import scrapy
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import DontCloseSpider, UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.config import ConfigError
from newscrawl.discover import (
    Candidate, Column, append_entry, candidate_links, read_column, site_domain, site_identity, source_entry,
)
from newscrawl.middlewares import BlockedRequest, OffsiteRequest
from newscrawl.summary import EXIT_BLOCKED, EXIT_BROKEN
from newscrawl.urls import is_http_url

MIN_COLUMNS_BEFORE_DEEPER = 3  # fewer columns linked from the home page: read one more level


@dataclass
class Report:
    home: str
    home_html: str | None = None
    home_error: str | None = None
    blocked: bool = False
    columns: list[Column] = field(default_factory=list)
    landings: list[tuple[str, str]] = field(default_factory=list)  # (url, html) of pages that were not columns
    pages_read: int = 0
    unreadable: dict[str, int] = field(default_factory=dict)  # why linked pages could not be read: count


class DiscoverSpider(scrapy.Spider):
    """Reads the home page, then each candidate column's first page; one more level if needed."""

    name = "discover"
    custom_settings = {"ITEM_PIPELINES": {}, "EXTENSIONS": {"newscrawl.summary.CrawlSummary": None}}

    def __init__(self, *args, report: Report, max_pages: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.report, self.max_pages = report, max_pages
        # the domains of the entry it prints: OffsiteGuardMiddleware refuses any request or redirect
        # outside them, and to private addresses, as it does for crawls
        self.meta = {"newscrawl_domains": [site_domain(report.home)]}
        self.seen: set[str] = set()
        self.went_deeper = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self):
        self.seen.add(self.report.home)
        yield scrapy.Request(self.report.home, callback=self.parse_home, errback=self.home_failed, dont_filter=True,
                             meta=dict(self.meta))

    def parse_home(self, response):
        self.report.home_html = response.text
        self.report.pages_read += 1
        # the URL given may be a column list itself (a user who already found one)
        column = read_column(response.text, response.url, Candidate(response.url, None, -1))
        if column is not None:
            self.logger.info("column %s: %s, %d rows (the page given)", column.title, column.url, column.rows)
            self.report.columns.append(column)
        yield from self.requests_for(candidate_links(response.text, response.url), level=1)

    def requests_for(self, candidates: list[Candidate], level: int):
        for candidate in candidates:
            if candidate.url in self.seen or len(self.seen) >= self.max_pages:  # the home page is one of them
                continue
            self.seen.add(candidate.url)
            yield scrapy.Request(candidate.url, callback=self.parse_candidate, errback=self.candidate_failed,
                                 cb_kwargs={"candidate": candidate, "level": level}, meta=dict(self.meta))

    def parse_candidate(self, response, candidate: Candidate, level: int):
        self.report.pages_read += 1
        column = read_column(response.text, response.url, candidate)
        if column is None:
            self.logger.info("not a column list: %s", response.url)
            if level == 1:
                self.report.landings.append((response.url, response.text))
            return
        if any(c.url == column.url for c in self.report.columns):
            return
        self.logger.info("column %s: %s, %d rows", column.title, column.url, column.rows)
        self.report.columns.append(column)

    def idle(self):
        """Level 1 done: follow the navigation of the pages that were not columns, once."""
        if self.went_deeper or self.report.home_html is None or len(self.report.columns) >= MIN_COLUMNS_BEFORE_DEEPER:
            return
        self.went_deeper = True
        scheduled = False
        order = 10_000
        for url, html in self.report.landings:
            candidates = candidate_links(html, url, start=order)
            order += len(candidates)
            for request in self.requests_for(candidates, level=2):
                self.crawler.engine.crawl(request)
                scheduled = True
        if scheduled:
            raise DontCloseSpider

    def home_failed(self, failure):
        if failure.check(BlockedRequest):
            self.report.blocked = True
        self.report.home_error = failure.getErrorMessage() or failure.type.__name__

    def candidate_failed(self, failure):
        if failure.check(OffsiteRequest):  # the message names the link and where it led
            self.logger.warning("not followed: %s", failure.getErrorMessage())
            return
        response = getattr(failure.value, "response", None)
        reason = f"HTTP {response.status}" if response is not None else failure.type.__name__
        self.report.unreadable[reason] = self.report.unreadable.get(reason, 0) + 1
        self.logger.info("could not read %s: %s", failure.request.url, reason)


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self):
        return "URL [--write FILE] [--name NAME] [--max-pages N]"

    def short_desc(self):
        return "Find a site's column list pages and print a sources.yaml entry for them"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--write", metavar="FILE", help="append the entry to this sources file")
        parser.add_argument("--name", help="the source's name (default: from the site's domain)")
        # no colon in help texts: Scrapy's help formatter takes a wrapped line ending in one for a heading
        parser.add_argument("--max-pages", type=int, default=None, metavar="N",
                            help="read at most N pages of the site (default NEWSCRAWL_DISCOVER_MAX_PAGES, 60)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # the result and one line about it; each page read is an INFO line (-L INFO shows them)
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args, opts):
        if len(args) != 1 or not is_http_url(args[0]):
            raise UsageError("give the site's home page: scrapy discover https://news.example.edu.cn/")
        report = Report(home=args[0])
        max_pages = opts.max_pages or self.settings.getint("NEWSCRAWL_DISCOVER_MAX_PAGES")
        crawler = self.crawler_process.create_crawler(DiscoverSpider)
        self.crawler_process.crawl(crawler, report=report, max_pages=max_pages)
        self.crawler_process.start()
        self.exitcode = self.conclude(report, opts)

    def conclude(self, report: Report, opts) -> int:
        if report.blocked:
            print(f"discover: {report.home} answered with an anti-bot wall (瑞数 or HTTP 412), not its home page: "
                  "nothing can be discovered from here; try again from another network", file=sys.stderr)
            return EXIT_BLOCKED
        if report.home_html is None:
            print(f"discover: could not read {report.home}: {report.home_error}", file=sys.stderr)
            return EXIT_BROKEN
        unreadable = sum(report.unreadable.values())
        failed = (f"; {unreadable} linked pages could not be read ("
                  + ", ".join(f"{reason} ×{n}" for reason, n in sorted(report.unreadable.items())) + ")"
                  if unreadable else "")
        if not report.columns:
            print(f"discover: read {report.pages_read} pages from {report.home}, none is a column list "
                  f"(a list of dated article links){failed}", file=sys.stderr)
            return EXIT_BROKEN
        name, school = site_identity(report.home_html, report.home)
        name = opts.name or name
        entry = source_entry(name, school, report.home, report.columns)
        print(entry, end="")
        print(f"discover: {len(report.columns)} column lists found on {report.pages_read} pages read{failed}",
              file=sys.stderr)
        if opts.write:
            try:
                append_entry(opts.write, name, entry)
            except (ConfigError, OSError) as exc:
                print(f"discover: not written: {exc}", file=sys.stderr)
                return EXIT_BROKEN
            print(f"discover: sources.{name} appended to {opts.write}", file=sys.stderr)
        return 0
