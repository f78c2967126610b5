"""Log hygiene: a site that cannot be reached is one line in the log, not a traceback."""

from __future__ import annotations

import logging

from scrapy.exceptions import (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
)
from twisted.internet.error import ConnectError, DNSLookupError, TimeoutError as TwistedTimeoutError

NETWORK_ERRORS = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                  DownloadTimeoutError, ConnectError, DNSLookupError, TwistedTimeoutError)


class NetworkTracebackFilter(logging.Filter):
    """Drops the traceback from records about network failures (the message already says it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def install() -> None:
    # robots.txt failures are logged with exc_info by Scrapy's RobotsTxtMiddleware
    target = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, NetworkTracebackFilter) for f in target.filters):
        target.addFilter(NetworkTracebackFilter())
