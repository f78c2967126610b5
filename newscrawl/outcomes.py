"""Counting outcomes: every article that does not reach the archive is counted, logged once, remembered."""

from __future__ import annotations

import logging

from scrapy.exceptions import (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError as TwistedTimeoutError,
)

from newscrawl.state import store_for
from newscrawl.urls import urlname

logger = logging.getLogger("newscrawl.outcomes")

# Drops that are decisions, not failures: the article is archived already or is a copy of one.
BENIGN_DROPS = frozenset({"duplicate_url", "already_archived", "duplicate_content"})

UNREACHABLE = (CannotResolveHostError, DownloadConnectionRefusedError, DNSLookupError, ConnectError)
TIMEOUTS = (DownloadTimeoutError, TCPTimedOutError, TwistedTimeoutError, TimeoutError)
ERROR_NAMES = {
    "ResponseDataLossError": "truncated",       # the body ended before its Content-Length
    "DownloadCancelledError": "too_large",      # DOWNLOAD_MAXSIZE reached
    "DownloadFailedError": "connection_lost",   # reset or closed mid-answer
}
# Requests Scrapy drops (IgnoreRequest) and why, read from its message: robots.txt's refusal, and a
# compressed body over DOWNLOAD_MAXSIZE (a decompression bomb); the rest (redirect loops) are 'ignored'
IGNORED_CAUSES = (("Forbidden by robots.txt", "robots_txt"), ("DOWNLOAD_MAXSIZE", "too_large"))


def download_error(exc: BaseException) -> tuple[str, str]:
    """(kind, reason) of a download that failed: one name per cause, whatever was fetched (an
    article, a list page, a re-check, a kept file). Walls and offsite refusals are the caller's."""
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status}"
    if isinstance(exc, UNREACHABLE):
        return "unreachable", f"unreachable ({type(exc).__name__})"
    if isinstance(exc, TIMEOUTS):
        return "timeout", "timed out"
    message = str(exc)
    if isinstance(exc, IgnoreRequest):  # Scrapy says why only in its message
        return next((name for needle, name in IGNORED_CAUSES if needle in message), "ignored"), f"not fetched: {message}"
    kind = ERROR_NAMES.get(type(exc).__name__, type(exc).__name__)
    return kind, f"{kind}: {message}"


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
