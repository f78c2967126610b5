"""The end-of-crawl summary: one block per source in the log, a verdict and an exit code for cron."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from scrapy import signals

from newscrawl.state import history
from newscrawl.outcomes import BENIGN_DROPS, count
from newscrawl.spiders.recheck import RECHECK_KEY
from newscrawl.paths import output_folder

logger = logging.getLogger("newscrawl.summary")

EXIT_OK = 0
EXIT_USAGE = 1        # could not start: a bad argument, sources file, output folder or state file
EXIT_BROKEN = 3       # no article links at all, unreachable, or too many new articles failed
EXIT_BLOCKED = 4      # an anti-bot wall answered instead of the site
EXIT_INTERRUPTED = 5  # stopped before the end (SIGTERM, Ctrl-C): run again to finish
EXIT_LOCKED = 6       # another crawl of the same source is running: this one did nothing
SUMMARY_DIR = ".newscrawl"


def summary_path(output_dir: Path, name: str) -> Path:
    """Outside the archive folders, so output/<source>/ holds only articles."""
    return Path(output_dir) / SUMMARY_DIR / f"{name.replace('/', '_')}.last-crawl.json"


def summarize(stats: dict, max_failed_share: float, finish_reason: str = "finished") -> dict:
    """Figures and verdict of one crawl, or of one source of it (its newscrawl/source/<name>/ stats, re-keyed)."""
    prefix = "newscrawl/"
    def get(key):
        return int(stats.get(f"{prefix}{key}", 0) or 0)

    def group(name):
        start = f"{prefix}{name}/"
        return {k[len(start):]: v for k, v in stats.items() if k.startswith(start) and "/" not in k[len(start):]}

    dropped, errors, failed = group("dropped"), group("errors"), group("failed")
    summary = {
        "lists_read": get("lists/read"), "lists_failed": get("lists/failed"),
        "lists_not_modified": get("lists/not_modified"), "feed_pages": get("feeds/pages"),
        "articles_found": get("articles/found"), "articles_new": get("articles/new"),
        "articles_retried": get("articles/retried"),
        "articles_written": get("articles/written"), "articles_unchanged": get("articles/unchanged"),
        "already_archived": get("articles/already_archived"), "articles_failed": get("articles/failed"),
        "given_up": get("articles/given_up"), "given_up_earlier": get("articles/given_up_earlier"),
        "failed": failed,
        "articles_revised": get("articles/revised"), "articles_withdrawn": get("articles/withdrawn"),
        "rechecked": get("rechecks/requested"), "recheck_not_modified": get("rechecks/not_modified"),
        "recheck_unchanged": get("rechecks/unchanged"), "recheck_failed": get("rechecks/failed"),
        "dropped": dropped, "blocked": get("blocked"), "http_errors": errors,
        "date_fallback": get("date_fallback"), "page_cap": get("lists/page_cap"),
        "extracted": sum(int(v or 0) for v in group("articles/extracted").values()),
        "extracted_by": group("articles/extracted"),  # which extractor read them: webplus, vsb, generic…
        "doubtful": get("extract/doubtful"),
        "page_repeat": get("lists/page_repeat"), "link_cap": get("lists/link_cap"),
        "items_exported": int(stats.get("item_scraped_count", 0) or 0),
        # files kept with the articles (NEWSCRAWL_FILES)
        "files_kept": get("files/kept"), "files_already_kept": get("files/already_kept"),
        "files_same_content": get("files/same_content"), "files_failed": get("files/failed"),
        "files_failures": group("files/failed"), "files_too_large": get("files/too_large"),
        "files_offsite": get("files/offsite"), "files_skipped": get("files/skipped"),
        "files_retried": get("files/retried"), "files_given_up": get("files/given_up"),
        "files_relinked": get("files/relinked"), "files_not_in_warc": get("files/not_in_warc"),
    }
    problems, code = [], EXIT_OK
    # a list page answered 304 is as it was when it last gave article links
    answered = summary["lists_read"] + summary["lists_not_modified"]
    lists_tried = answered + summary["lists_failed"]
    attempted = summary["articles_new"] + summary["articles_retried"] + get("articles/requested")
    archived = summary["articles_written"] + summary["articles_unchanged"]
    not_benign = sum(v for k, v in dropped.items() if k not in BENIGN_DROPS)
    if summary["blocked"]:
        problems.append(f"the site blocked the crawler ({summary['blocked']} anti-bot pages)")
        code = EXIT_BLOCKED
    list_errors = group("list_errors")
    if lists_tried and answered == 0 and list_errors:
        problems.append(list_failure(list_errors))
        code = max(code, EXIT_BROKEN)
    elif lists_tried and summary["articles_found"] == 0 and not summary["blocked"] and list_errors.get("error_page"):
        problems.append("its list pages answered error pages (not found, deleted or maintenance), not the lists")
        code = max(code, EXIT_BROKEN)
    elif lists_tried and summary["articles_found"] == 0 and not summary["lists_not_modified"] and not summary["blocked"]:
        problems.append("its list pages yielded no article link at all (layout changed, or pages failed)")
        code = max(code, EXIT_BROKEN)
    if attempted and summary["articles_failed"]:
        share = summary["articles_failed"] / attempted
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(failed.items()))
        problems.append(f"{summary['articles_failed']} of {attempted} articles failed ({kinds})")
        if share > max_failed_share or archived == 0:
            code = max(code, EXIT_BROKEN)
    if attempted and archived == 0 and not_benign and code == EXIT_OK:
        # every new article dropped as empty, untitled, a login page…: the site changed under us
        problems.append(f"none of {attempted} new articles was archived")
        code = EXIT_BROKEN
    if summary["given_up_earlier"] and not summary["already_archived"] and not attempted and code == EXIT_OK:
        # every link its lists give failed in earlier runs until it was given up: nothing of it is archived
        problems.append(f"all {summary['given_up_earlier']} articles its lists link were given up after failing in "
                        "earlier runs (`scrapy state` lists them; `scrapy state --retry` tries them again)")
        code = EXIT_BROKEN
    if summary["files_failed"]:
        # the verdict counts the files of this run's articles; a retry that fails again is only reported
        new_failed = summary["files_failed"] - get("files/retry/failed")
        new_kept = summary["files_kept"] - get("files/retry/kept")
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary["files_failures"].items()))
        if new_failed and not new_kept:
            problems.append(f"all {new_failed} files failed ({kinds}): none was kept")
            code = max(code, EXIT_BROKEN)
        else:
            problems.append(f"{summary['files_failed']} of {summary['files_failed'] + summary['files_kept']} "
                            f"files failed ({kinds}); their links stay the original, later runs try again")
    if summary["files_given_up"]:
        problems.append(f"{summary['files_given_up']} files given up after NEWSCRAWL_MAX_ATTEMPTS runs")
    idle = False
    if not lists_tried and not attempted and not summary["blocked"] and code == EXIT_OK:
        idle = True
        problems.append("nothing to crawl: no list pages, URLs or accounts given")
    if finish_reason != "finished" and code in (EXIT_OK,):
        problems.append(f"interrupted ({finish_reason}): run again to finish, nothing is lost")
        code = EXIT_INTERRUPTED
    summary["problems"] = problems
    status = {EXIT_OK: "ok", EXIT_BLOCKED: "blocked", EXIT_INTERRUPTED: "interrupted"}.get(code, "broken")
    if code == EXIT_OK and idle:
        status = "idle"
    summary["status"], summary["exit_code"] = status, code
    return summary


# Why no list page could be read, by the kind its failures were counted under (errors/<kind>).
LIST_FAILURE_CAUSES = {
    "unreachable": "could not be reached (network or DNS)",
    "timeout": "timed out (answered nothing, or stopped answering, in DOWNLOAD_TIMEOUT)",
    "robots_txt": "are refused by robots.txt",
    "connection_lost": "lost the connection",
    "truncated": "were cut short",
    "too_large": "are too large (DOWNLOAD_MAXSIZE)",
    "offsite_redirect": "redirect off the site",
}


def list_failure(kinds: dict) -> str:
    """The problem line of a source none of whose list pages could be read: it names the cause."""
    if len(kinds) > 1:
        return "its list pages failed: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    (kind,) = kinds
    if kind == "unreachable":
        return "the site could not be reached (network or DNS)"
    cause = LIST_FAILURE_CAUSES.get(kind) or (f"answered HTTP {kind[5:]}" if kind.startswith("http_") else f"failed ({kind})")
    return f"its list pages {cause}"


def format_summary(name: str, s: dict) -> str:
    def listing(d):
        return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "none"

    lines = [
        f"crawl summary for {name}: {s['status'].upper()}" + (f" — {'; '.join(s['problems'])}" if s["problems"] else ""),
        f"  list pages read {s['lists_read']}"
        + (f" ({s['feed_pages']} through the CMS's list feed)" if s.get("feed_pages") else "")
        + f", not modified {s.get('lists_not_modified', 0)}, failed {s['lists_failed']}"
        + (f"; page cap reached {s['page_cap']}" if s.get("page_cap") else "")
        + (f"; repeating pages {s['page_repeat']}" if s.get("page_repeat") else "")
        + (f"; link cap reached {s['link_cap']}" if s.get("link_cap") else ""),
        f"  articles found {s['articles_found']}, new {s['articles_new']}, retried {s['articles_retried']}, "
        f"written {s['articles_written']}, unchanged {s['articles_unchanged']}, "
        f"already archived {s['already_archived']}, failed {s['articles_failed']}, given up {s['given_up']}, "
        f"revised {s.get('articles_revised', 0)}, withdrawn {s.get('articles_withdrawn', 0)}"
        + (f", given up earlier {s['given_up_earlier']}" if s.get("given_up_earlier") else ""),
        f"  failed: {listing(s['failed'])}",
        f"  dropped: {listing(s['dropped'])}",
        f"  blocked: {s['blocked']}; errors: {listing(s['http_errors'])}; dates from crawl time: {s['date_fallback']}",
    ]
    if s.get("extracted_by"):
        lines.append(f"  extracted as: {listing(s['extracted_by'])}")
    if any(s.get(k) for k in ("files_kept", "files_already_kept", "files_failed", "files_too_large",
                              "files_offsite", "files_skipped", "files_not_in_warc")):
        lines.append(
            f"  files: kept {s['files_kept']} (same content as a kept file {s['files_same_content']}), "
            f"already kept {s['files_already_kept']}, failed {s['files_failed']} ({listing(s['files_failures'])}), "
            f"too large {s['files_too_large']}, offsite {s['files_offsite']}, skipped {s['files_skipped']}, "
            f"retried {s['files_retried']}, given up {s['files_given_up']}, articles relinked {s['files_relinked']}"
            + (f", not in the WARC {s['files_not_in_warc']}" if s.get("files_not_in_warc") else ""))
    if s.get("doubtful"):
        lines.append(f"  extraction doubtful on {s['doubtful']} of {s['extracted']} articles (archived; see the log "
                     "for why, add selectors for the source)")
    if s.get("rechecked"):
        lines.append(f"  re-checked {s['rechecked']}: not modified {s['recheck_not_modified']}, unchanged "
                     f"{s['recheck_unchanged']}, revised {s['articles_revised']}, withdrawn {s['articles_withdrawn']}, "
                     f"failed {s['recheck_failed']}")
    if s.get("export_note"):
        lines.append(f"  {s['export_note']}")
    lines.append(f"  duration {s.get('duration_s', 0.0):.1f}s")
    return "\n".join(lines)


def write_summary_json(output_dir: Path, name: str, s: dict) -> None:
    try:
        from newscrawl.pipelines.write import write_atomically

        write_atomically(summary_path(output_dir, name), json.dumps(s, ensure_ascii=False, indent=1))
    except OSError as exc:
        logger.warning("could not write the crawl summary JSON: %s", exc)


class CrawlSummary:
    def __init__(self, crawler):
        self.crawler = crawler
        self.started = time.monotonic()
        self.max_failed_share = crawler.settings.getfloat("NEWSCRAWL_MAX_FAILED_SHARE")
        self.write_json = crawler.settings.getbool("NEWSCRAWL_SUMMARY_JSON")
        self.output_dir = output_folder(crawler.settings)
        self.exporting = bool(crawler.settings.getdict("FEEDS"))
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        logger.info("crawl of %s started", spider.name)

    def spider_error(self, failure, response, spider):
        # a bug in a callback: counted, so it can never pass for a clean run
        request = getattr(response, "request", None)
        meta = request.meta if request is not None else {}
        kind, source, stats = meta.get("newscrawl_kind") or "request", meta.get("newscrawl_source"), self.crawler.stats
        count(stats, "errors/spider_error", source=source)  # per source too: crawlall's verdicts see it
        if kind == "article" and meta.get(RECHECK_KEY):
            count(stats, "rechecks/failed", source=source)  # the archived article is kept as it was
        elif kind == "article":
            count(stats, "articles/failed", source=source)
            count(stats, "failed/extract_failed", source=source)
        elif kind == "list":
            count(stats, "lists/failed", source=source)

    def finish(self, name: str, reason: str, stats: dict | None = None, record_history: bool = True) -> dict:
        """Summarize, log and store the crawl's verdict (also used after a forced shutdown).

        stats given: one source of a multi-source crawl (its own counters, re-keyed to newscrawl/…).
        """
        whole = stats is None
        s = summarize(stats if stats is not None else self.crawler.stats.get_stats(), self.max_failed_share,
                      reason)
        s["duration_s"] = time.monotonic() - self.started
        s["finish_reason"] = reason
        s["source"] = name
        if self.exporting and s["items_exported"] == 0 and whole:
            s["export_note"] = ("0 items exported: everything was archived already; -a full=1 re-exports"
                                if s["already_archived"] else "0 items exported")
        (logger.error if s["exit_code"] else logger.info)(format_summary(name, s))
        if whole:
            self.crawler.newscrawl_summary = s
            self.crawler.stats.set_value("newscrawl/exit_code", s["exit_code"])
        if record_history:
            history.record_run(self.crawler, s)
        if self.write_json:
            write_summary_json(self.output_dir, name, s)
        return s

    def stats_by_source(self, names=None) -> dict[str, dict]:
        """The newscrawl/source/<name>/… counters of each source (all found when names is None), re-keyed
        to newscrawl/…, in one pass over the stats (not one scan per source: 1,000 sources)."""
        by_source: dict[str, dict] = {name: {"item_scraped_count": 0} for name in names or ()}
        for key, value in self.crawler.stats.get_stats().items():
            if key.startswith("newscrawl/source/"):
                name, _, rest = key[len("newscrawl/source/"):].partition("/")
                if names is None:
                    by_source.setdefault(name, {"item_scraped_count": 0})
                if name in by_source:
                    by_source[name][f"newscrawl/{rest}"] = value
        return by_source

    def spider_closed(self, spider, reason):
        names = getattr(spider, "source_names", None)
        if names is None and getattr(spider, "source_name", None):
            self.finish(spider.name, reason)  # a source's own spider: its history row is the source's
            return
        if names is None:
            # `article`, `site`: one summary for the run, and a history row for each source (archive
            # folder) it fetched for, so the health page counts an article under its folder
            self.finish(spider.name, reason, record_history=False)
            rows = []
            for name, stats in self.stats_by_source().items():
                row = summarize(stats, self.max_failed_share, reason)
                row.update(source=name, duration_s=time.monotonic() - self.started)
                rows.append(row)
            history.record_runs(self.crawler, rows)
            return
        # one engine, many sources: a verdict, a log block, a JSON and a history row for each
        by_source = self.stats_by_source(names)
        self.crawler.newscrawl_summaries = {
            name: self.finish(name, reason, stats=by_source[name], record_history=False)
            for name in names}
        history.record_runs(self.crawler, list(self.crawler.newscrawl_summaries.values()))
