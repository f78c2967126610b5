"""`scrapy reextract [SOURCE…] [--warc DIR]`: rebuild archive files from the WARC captures, fetching nothing.

The captured article pages go through the crawl's own path (the spider's parse_article with the
current extractor, then every item pipeline, files included) with a download handler that answers
from the WARC files instead of the network. Only files whose text changed are rewritten; the summary
counts them (written = rewritten, unchanged), and the exit status follows a crawl's rules.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand

from newscrawl.commands.crawl import CheckedCommand, finish_without_close
from newscrawl.replay import WarcIndex
from newscrawl.spiders.base import NewsSpider
from newscrawl.spiders.thepaper import LabelsAccountArticles
from newscrawl.summary import EXIT_LOCKED, EXIT_USAGE

logger = logging.getLogger("newscrawl.summary")
REPLAY_HANDLER = "newscrawl.replay.WarcReplayHandler"
# a replay: no politeness to keep, nothing to refetch, no new captures, no run history or crawl JSON
REPLAY_SETTINGS = {
    "DOWNLOAD_HANDLERS": {"http": REPLAY_HANDLER, "https": REPLAY_HANDLER},
    "ROBOTSTXT_OBEY": False, "NEWSCRAWL_VIEWS": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
    "RETRY_ENABLED": False, "NEWSCRAWL_WARC_DIR": "", "NEWSCRAWL_HISTORY_DAYS": 0, "NEWSCRAWL_SUMMARY_JSON": False,
    "NEWSCRAWL_FULL": True, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


class ReextractSpider(LabelsAccountArticles, NewsSpider):
    """Requests every captured article page of the chosen sources (the handler answers from the WARC)."""

    name = "reextract"

    def __init__(self, *args, warc_index: WarcIndex, wanted: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.warc_index = warc_index
        self.source_names = wanted

    async def start(self):
        for url, capture in self.warc_index.articles.items():
            if capture["source"] not in self.source_names:
                continue
            source = self.sources.get(capture["source"]) or self.source_for(url)
            self.sources_by_name.setdefault(source.name, source)
            self.count("articles/requested", source=source.name)
            yield self.article_request(url, capture["cms"], source=source, column=capture["column"])

    def closed(self, reason):
        self.store.close()  # a replay completes no column


class Command(CheckedCommand, BaseRunSpiderCommand):
    requires_project = True

    def syntax(self):
        return "[SOURCE …] [--warc DIR]"

    def short_desc(self):
        return "Rebuild archive files from the WARC captures with the current extractor (fetches nothing)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--warc", metavar="DIR", help="the WARC folder (default: NEWSCRAWL_WARC_DIR)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # the folder the crawls write their captures to, read before the replay switches capturing off
        self.warc_dir = self.settings.get("NEWSCRAWL_WARC_DIR")
        for key, value in REPLAY_SETTINGS.items():
            self.settings.set(key, value, priority="cmdline")

    def run(self, args, opts):
        folder = opts.warc or self.warc_dir or ""
        if not folder:
            print("newscrawl: give the WARC folder: --warc DIR (or set NEWSCRAWL_WARC_DIR)", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        index = WarcIndex(Path(folder))
        if not index.paths:
            print(f"newscrawl: no WARC files in {folder}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        found = list(dict.fromkeys(c["source"] for c in index.articles.values()))
        wanted = list(args) or found
        unknown = [name for name in wanted if name not in found]
        if unknown:
            logger.warning("reextract: the WARC files hold no article page of %s", ", ".join(unknown))
        busy = self.checked_start(lambda: wanted)
        if busy is None:
            return
        for name in busy:
            logger.error("reextract: %s is being crawled by another process: skipped", name)
        todo = [name for name in wanted if name not in busy]
        logger.info("reextract: %d article pages captured in %d WARC files; rebuilding %s", len(index.articles),
                    len(index.paths), ", ".join(todo) or "nothing")
        crawler = self.crawler_process.create_crawler(ReextractSpider)
        self.crawler_process.crawl(crawler, warc_index=index, wanted=todo)
        self.interrupts.run(self.crawler_process)
        if not getattr(crawler, "newscrawl_summaries", None):
            finish_without_close(crawler)
        summaries = getattr(crawler, "newscrawl_summaries", None) or {}
        codes = {name: EXIT_LOCKED for name in busy}
        missing = {"exit_code": self.exit_code_without_summary()}
        codes.update({name: (summaries.get(name) or missing)["exit_code"] for name in todo})
        for name in todo:
            s = summaries.get(name) or {}
            print(f"reextract {name}: {s.get('articles_written', 0)} archive files rewritten, "
                  f"{s.get('articles_unchanged', 0)} unchanged, {s.get('articles_failed', 0)} failed, "
                  f"{sum(s.get('dropped', {}).values())} dropped ({s.get('status', 'failed')})")
        self.exitcode = max(codes.values(), default=0)
