"""Counting outcomes: every article that does not reach the archive is counted, logged once, remembered."""

from __future__ import annotations

import logging

from newscrawl.state import store_for
from newscrawl.urls import urlname

logger = logging.getLogger("newscrawl.outcomes")

# Drops that are decisions, not failures: the article is archived already or is a copy of one.
BENIGN_DROPS = frozenset({"duplicate_url", "already_archived", "duplicate_content"})


def count(stats, key: str, n: int = 1, source: str | None = None) -> None:
    """newscrawl/<key>, and newscrawl/source/<source>/<key> so a multi-source run reports per source."""
    if not n:
        return
    stats.inc_value(f"newscrawl/{key}", n)
    if source:
        stats.inc_value(f"newscrawl/source/{source}/{key}", n)


def article_failed(crawler, *, url: str, source: str, kind: str, reason: str, column: str = "",
                   cms: str = "auto") -> None:
    """An article that did not reach the archive: counted by kind, one log line, queued for a retry.

    The failures table makes later runs try it again first (NEWSCRAWL_MAX_ATTEMPTS times), and
    keeps its column from counting as complete while it is pending.
    """
    stats = crawler.stats
    count(stats, "articles/failed", source=source)
    count(stats, f"failed/{kind}", source=source)
    logger.error("article failed (%s): %s <%s>", kind, one_line(reason), url)
    attempts = remember_failure(crawler, url=url, source=source, kind=kind, reason=reason, column=column, cms=cms)
    if attempts is not None and attempts >= crawler.settings.getint("NEWSCRAWL_MAX_ATTEMPTS"):
        count(stats, "articles/given_up", source=source)
        logger.error("giving up on <%s> after %d attempts (last: %s); `scrapy state --retry` queues it again",
                     url, attempts, kind)


def recheck_failed(stats, url: str, source: str, kind: str, reason: str) -> None:
    """A re-check of an archived article that failed: counted, one line; the archive keeps its file and
    the article is looked at again at its next turn (nothing is queued: it is not a lost article)."""
    count(stats, "rechecks/failed", source=source)
    logger.warning("re-check failed (%s): %s <%s>", kind, one_line(reason), url)


def remember_failure(crawler, *, url: str, source: str, kind: str, reason: str, column: str = "",
                     cms: str = "auto", use_attempt: bool = True) -> int | None:
    """Queue the article in the state's failures table; the attempts so far (None: the state failed too)."""
    try:
        return store_for(crawler).record_failure(urlname=urlname(url), url=url, source=source, kind=kind,
                                                 reason=one_line(reason), column=column, cms=cms,
                                                 use_attempt=use_attempt)
    except Exception as exc:  # the state itself is failing: the next run finds the article again anyway
        # an error of the state, not a second failure of the article (counted once, by the caller's kind)
        count(crawler.stats, "errors/state_failed", source=source)
        logger.error("could not record the failure in the state: %s <%s>", one_line(str(exc)), url)
        return None


def one_line(text: str, limit: int = 300) -> str:
    """A reason fit for one log line: no newlines, bounded length (never a whole article)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
