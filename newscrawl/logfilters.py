"""Log hygiene: network failures without tracebacks; Scrapy's dumps demoted to DEBUG."""

from __future__ import annotations

import logging

from scrapy.exceptions import (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
)
from twisted.internet.error import ConnectError, DNSLookupError, TimeoutError as TwistedTimeoutError

NETWORK_ERRORS = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                  DownloadTimeoutError, ConnectError, DNSLookupError, TwistedTimeoutError)
# Loggers whose INFO lines are settings, versions, middleware lists and stats dumps (~1,900 lines
# for `make crawl`): useful when debugging, noise in a cron mail.
DEMOTED_LOGGERS = ("scrapy.utils.log", "scrapy.crawler", "scrapy.middleware", "scrapy.statscollectors",
                   "scrapy.extensions.logstats", "scrapy.extensions.telnet", "scrapy.core.engine",
                   "scrapy.addons", "scrapy.core.downloader.tls", "py.warnings.scrapy")


class NetworkTracebackFilter(logging.Filter):
    """Drops the traceback from records about network failures (the message already says it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


class FileNotKeptFilter(logging.Filter):
    """Scrapy's media pipeline logs each file it did not get with a traceback; newscrawl has logged it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from newscrawl.filekinds import FileNotKept

        return not (record.exc_info and isinstance(record.exc_info[1], FileNotKept))


class DemoteInfoFilter(logging.Filter):
    """INFO becomes DEBUG; handlers at INFO then skip it (their level is checked after logger filters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def install() -> None:
    # robots.txt failures are logged with exc_info by Scrapy's RobotsTxtMiddleware
    target = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, NetworkTracebackFilter) for f in target.filters):
        target.addFilter(NetworkTracebackFilter())
    media = logging.getLogger("scrapy.pipelines.media")
    if not any(isinstance(f, FileNotKeptFilter) for f in media.filters):
        media.addFilter(FileNotKeptFilter())
    for name in DEMOTED_LOGGERS:
        demoted = logging.getLogger(name)
        if not any(isinstance(f, DemoteInfoFilter) for f in demoted.filters):
            demoted.addFilter(DemoteInfoFilter())
