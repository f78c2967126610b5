"""Run history: each finished crawl of a source becomes one row in the state, read by `scrapy report`."""

from __future__ import annotations

import logging
import time

from newscrawl.state import StateError, open_store

logger = logging.getLogger("newscrawl.history")

DAY = 86400.0


def run_row(summary: dict, now: float | None = None) -> dict:
    """The history row of one crawl summary: counts by outcome and failures by kind, whatever their keys."""
    now = time.time() if now is None else now
    duration = float(summary.get("duration_s") or 0.0)
    counts = {k: v for k, v in summary.items()
              if isinstance(v, int) and not isinstance(v, bool) and k != "exit_code"}
    failures = {k: v for k, v in summary.items() if isinstance(v, dict) and v and k != "extracted_by"}
    return {
        "source": summary.get("source") or "?", "started_at": now - duration, "duration_s": duration,
        "status": summary.get("status") or "?", "exit_code": int(summary.get("exit_code") or 0),
        "articles_written": int(summary.get("articles_written") or 0), "counts": counts,
        "failures": failures, "problems": [str(p) for p in summary.get("problems") or []],
    }


def record_run(crawler, summary: dict) -> None:
    """Append this run to the history (see record_runs)."""
    record_runs(crawler, [summary])


def record_runs(crawler, summaries: list[dict]) -> None:
    """Append these runs (one per source) to the history and forget runs older than NEWSCRAWL_HISTORY_DAYS.

    Opens its own connection, once for all the sources of a run: the spider closes its store when
    it closes, in no fixed order with this call. A failure here is logged, never raised: the crawl
    itself is already done.
    """
    days = crawler.settings.getfloat("NEWSCRAWL_HISTORY_DAYS")
    if days <= 0 or not summaries:
        return
    try:
        store = open_store(crawler.settings)
    except StateError as exc:
        logger.warning("run history not recorded: %s", exc)
        return
    try:
        for summary in summaries:
            store.record_run(**run_row(summary))
        store.prune_runs(time.time() - days * DAY)
    except Exception as exc:  # sqlite3 or psycopg: the history is never worth failing a crawl for
        logger.warning("run history not recorded: %s", exc)
    finally:
        store.close()
