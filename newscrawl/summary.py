"""The end-of-crawl summary: one block per source in the log, a verdict and an exit code for cron."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from scrapy import signals

from newscrawl import logfilters

logger = logging.getLogger("newscrawl.summary")

EXIT_OK = 0
EXIT_BROKEN = 3   # no article links at all, unreachable, or too many new articles failed
EXIT_BLOCKED = 4  # an anti-bot wall answered instead of the site
EXIT_INTERRUPTED = 5  # stopped before the end (SIGTERM, Ctrl-C): run again to finish


def summarize(stats: dict, max_failed_share: float, finish_reason: str = "finished") -> dict:
    """Figures and verdict of one crawl from its Scrapy stats."""
    def get(key):
        return int(stats.get(f"newscrawl/{key}", 0) or 0)

    dropped = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newscrawl/dropped/")}
    errors = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newscrawl/errors/")}
    summary = {
        "lists_read": get("lists/read"), "lists_failed": get("lists/failed"),
        "articles_found": get("articles/found"), "articles_new": get("articles/new"),
        "articles_written": get("articles/written"), "articles_unchanged": get("articles/unchanged"),
        "already_archived": get("articles/already_archived"), "articles_failed": get("articles/failed"),
        "dropped": dropped, "blocked": get("blocked"), "http_errors": errors,
        "date_fallback": get("date_fallback"),
    }
    problems, code = [], EXIT_OK
    lists_tried = summary["lists_read"] + summary["lists_failed"]
    if summary["blocked"]:
        problems.append(f"the site blocked the crawler ({summary['blocked']} anti-bot pages)")
        code = EXIT_BLOCKED
    if lists_tried and summary["lists_read"] == 0 and (errors.get("unreachable") or errors.get("timeout")):
        problems.append("the site could not be reached (network or DNS)")
        code = max(code, EXIT_BROKEN)
    elif lists_tried and summary["articles_found"] == 0 and not summary["blocked"]:
        problems.append("its list pages yielded no article link at all (layout changed, or pages failed)")
        code = max(code, EXIT_BROKEN)
    attempted = summary["articles_new"] + int(stats.get("newscrawl/articles/requested", 0) or 0)
    if attempted and summary["articles_failed"] / attempted > max_failed_share:
        problems.append(f"{summary['articles_failed']} of {attempted} new articles failed")
        code = max(code, EXIT_BROKEN)
    if not lists_tried and not attempted and not summary["blocked"] and code == EXIT_OK:
        problems.append("nothing to crawl: no list pages, URLs or accounts given")
    if finish_reason != "finished" and code == EXIT_OK:
        problems.append(f"interrupted ({finish_reason}): run again to finish, nothing is lost")
        code = EXIT_INTERRUPTED
    summary["problems"] = problems
    summary["status"] = {EXIT_OK: "ok", EXIT_BLOCKED: "blocked", EXIT_INTERRUPTED: "interrupted"}.get(code, "broken")
    if code == EXIT_OK and problems:
        summary["status"] = "idle"
    summary["exit_code"] = code
    return summary


def format_summary(name: str, s: dict) -> str:
    dropped = ", ".join(f"{k} {v}" for k, v in sorted(s["dropped"].items())) or "none"
    errors = ", ".join(f"{k} {v}" for k, v in sorted(s["http_errors"].items())) or "none"
    lines = [
        f"crawl summary for {name}: {s['status'].upper()}" + (f" — {'; '.join(s['problems'])}" if s["problems"] else ""),
        f"  list pages read {s['lists_read']}, failed {s['lists_failed']}",
        f"  articles found {s['articles_found']}, new {s['articles_new']}, written {s['articles_written']}, "
        f"unchanged {s['articles_unchanged']}, already archived {s['already_archived']}, failed {s['articles_failed']}",
        f"  dropped: {dropped}",
        f"  blocked: {s['blocked']}; errors: {errors}; dates from crawl time: {s['date_fallback']}",
        f"  duration {s['duration_s']:.1f}s",
    ]
    return "\n".join(lines)


class CrawlSummary:
    def __init__(self, crawler):
        self.crawler = crawler
        self.started = time.monotonic()
        self.max_failed_share = crawler.settings.getfloat("NEWSCRAWL_MAX_FAILED_SHARE", 0.5)
        self.write_json = crawler.settings.getbool("NEWSCRAWL_SUMMARY_JSON", True)
        self.output_dir = Path(crawler.settings.get("NEWSCRAWL_OUTPUT_DIR") or "output")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logfilters.install()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self, spider, reason):
        s = summarize(self.crawler.stats.get_stats(), self.max_failed_share, reason)
        s["duration_s"] = time.monotonic() - self.started
        s["finish_reason"] = reason
        s["source"] = spider.name
        text = format_summary(spider.name, s)
        (logger.error if s["exit_code"] else logger.info)(text)
        self.crawler.newscrawl_summary = s
        self.crawler.stats.set_value("newscrawl/exit_code", s["exit_code"])
        if self.write_json:
            try:
                folder = self.output_dir / spider.name.replace("/", "_")
                folder.mkdir(parents=True, exist_ok=True)
                (folder / ".last-crawl.json").write_text(json.dumps(s, ensure_ascii=False, indent=1), encoding="utf-8")
            except OSError as exc:
                logger.warning("could not write the crawl summary JSON: %s", exc)
