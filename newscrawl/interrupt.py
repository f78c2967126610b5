"""Ctrl-C and SIGTERM for the crawl commands, from their first line to the end of the process: exit 5, never killed.

Python's own SIGINT handler (KeyboardInterrupt) would be in place while a command starts, and at
interpreter exit Python puts back SIG_DFL for every signal a Python function handled: a Ctrl-C in
either window killed the process (exit -2) instead of ending it with its status. So the commands
install this handler before their first check and never give SIGINT/SIGTERM back to Python; once
the crawl is over the signals are ignored (SIG_IGN survives interpreter exit).

First signal: the crawl stops gracefully (pages in flight finish, the summary is written, exit 5).
Second: the reactor stops at once. Further ones are ignored. Logging happens on the reactor's
thread, never inside the signal handler (it may interrupt a write to the same stream).
"""

from __future__ import annotations

import logging
import signal

from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger("newscrawl.summary")

SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}
RETRY_S = 0.05  # a crawl whose engine is not running yet is stopped as soon as it runs


def _engine_running(crawler) -> bool:
    try:
        return bool(crawler.engine.running)
    except RuntimeError:  # Crawler.engine is set as the crawl starts
        return False


class Interrupts:
    """The signal handler of one crawl command: counts signals and stops the crawler process."""

    def __init__(self):
        self.received = 0
        self.process = None

    def install(self) -> Interrupts:
        for signum in SIGNALS:
            signal.signal(signum, self.handle)
        return self

    def attach(self, crawler_process) -> None:
        """From now on a signal stops this process's crawls (queued until its reactor runs)."""
        self.process = crawler_process

    def handle(self, signum, _frame) -> None:
        self.received += 1
        if self.process is None or self.received > 2:
            return  # before the crawl: the command checks `received`; after two, nothing more to do
        from twisted.internet import reactor

        if self.received == 1:
            reactor.callFromThread(self.stop_gracefully, signum)
        else:
            reactor.callFromThread(self.stop_now, signum)

    def stop_gracefully(self, signum) -> None:
        logger.warning("%s: stopping — the pages in flight finish and the summary is written (exit 5); "
                       "send it again to stop at once. Nothing is lost: the next run fetches what is missing.",
                       NAMES.get(signum, signum))
        self.stop_crawls()

    def stop_crawls(self) -> None:
        waiting = False
        for crawler in list(self.process.crawlers):
            if _engine_running(crawler):
                deferred_from_coro(crawler.stop_async())
            else:
                waiting = True  # still opening: Crawler.stop_async() would be a no-op now
        if waiting and self.received == 1:
            from twisted.internet import reactor

            reactor.callLater(RETRY_S, self.stop_crawls)

    def stop_now(self, signum) -> None:
        from twisted.internet import reactor
        from twisted.internet.error import ReactorNotRunning

        logger.warning("%s again: stopping now (exit 5); the summary counts what was done", NAMES.get(signum, signum))
        try:
            reactor.stop()
        except ReactorNotRunning:  # already stopping
            pass

    def run(self, crawler_process) -> None:
        """Start the crawls with this handler (not Scrapy's, not Python's); ignore signals afterwards."""
        try:
            crawler_process.start(install_signal_handlers=False)
        finally:
            ignore_signals()


def ignore_signals() -> None:
    """The crawl is over: no signal may kill the process before it reports its exit status."""
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
