"""`scrapy report [--out FILE]`: the source health page, one static HTML file from the run history."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import SpiderLoader

from newscrawl.config import load_sources
from newscrawl.pipelines.write import write_atomically
from newscrawl.report import CHART_DAYS, render_report
from newscrawl.state import StateError, open_store

logger = logging.getLogger("newscrawl.report")


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "INFO"}

    def syntax(self):
        return "[--out FILE]"

    def short_desc(self):
        return "Write the source health page (static HTML, opens offline) from the run history"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--out", default="newscrawl-report.html", metavar="FILE",
                            help="where to write the page (default: newscrawl-report.html)")

    def run(self, args, opts):
        names = list(load_sources(self.settings.get("NEWSCRAWL_SOURCES_FILE") or None))
        now = time.time()
        try:
            store = open_store(self.settings, create=False)  # a read command never creates a state
        except StateError as exc:
            logger.error("%s", exc)
            self.exitcode = 2
            return
        try:
            # the chart's window is all the page shows: reading the whole history (kept for
            # NEWSCRAWL_HISTORY_DAYS) of dozens of hourly sources would only cost time
            runs = store.runs(since=now - (CHART_DAYS + 1) * 86400)
            changes = store.changes(since=now - 30 * 86400)
        finally:
            store.close()
        # rows are sources (archive folders): runs recorded under a spider's name by older versions
        # (`article`, `site`, `crawlall`) are not one
        spiders = set(SpiderLoader.from_settings(self.settings).list()) - set(names)
        runs = [run for run in runs if run["source"] not in spiders]
        out = Path(opts.out)
        page = render_report(names, runs, now, changes)
        try:
            write_atomically(out, page)  # a browser or web server never sees half a page
        except OSError as exc:
            logger.error("could not write the report to %s: %s", out, exc)
            self.exitcode = 2
            return
        # cron mails any output: a report that was written says nothing at the default log level
        logger.debug("report of %d sources, %d runs written to %s", len(set(names) | {r["source"] for r in runs}),
                    len(runs), out)
