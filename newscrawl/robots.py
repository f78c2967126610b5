"""robots.txt: Scrapy's RobotsTxtMiddleware still decides; it is fed from the state and bounded in size.

- Cached per host in the state for NEWSCRAWL_ROBOTS_TTL seconds: an hourly run requests no robots.txt
  read within the TTL; past it, the request carries the cached validators, and a 304 renews the cache.
- At most NEWSCRAWL_ROBOTS_MAXSIZE bytes are read (RFC 9309 lets a crawler stop after 500 KiB): the
  download stops there and only whole lines before the cut are parsed, so a 10 MB robots.txt costs
  what 512 KiB cost, not hundreds of MB.
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import StopDownload
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl.conditional import NOT_MODIFIED, conditional_headers, validators_of
from newscrawl.outcomes import count, one_line

logger = logging.getLogger(__name__)

HOST_KEY = "newscrawl_robots"          # request meta: this is a robots.txt request, for this host
RECEIVED_KEY = "newscrawl_robots_read"  # bytes received so far


def cut_at_line(body: bytes, limit: int) -> bytes:
    """The first `limit` bytes, ending at the last whole line (a rule is never read half)."""
    if len(body) <= limit:
        return body
    end = body.rfind(b"\n", 0, limit)
    return body[: end + 1] if end >= 0 else body[:limit]


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose parsers come from the state's cache while fresh; what it downloads is
    bounded in size and recorded for the next runs."""

    def __init__(self, crawler):
        super().__init__(crawler)  # NotConfigured when ROBOTSTXT_OBEY is off
        settings = crawler.settings
        self.ttl = settings.getfloat("NEWSCRAWL_ROBOTS_TTL")
        self.maxsize = settings.getint("NEWSCRAWL_ROBOTS_MAXSIZE")
        self.parser_class = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.cached_parsers: dict = {}          # host -> parser built from the state's body
        self.looked_up: set[str] = set()        # hosts whose state row was read this run
        self.stale: dict[str, dict] = {}        # host -> cached row past its TTL (its validators ask for a 304)
        self.source_of: dict[str, str | None] = {}  # host -> source of the first request needing it (counts)
        if self.maxsize > 0:
            crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    def store(self):
        """The crawl's state store, when the crawl has one (a NewsSpider crawl); else no cache."""
        return getattr(self.crawler, "newscrawl_state", None) if self.ttl > 0 else None

    def count(self, key: str, host: str) -> None:
        count(self.crawler.stats, key, source=self.source_of.get(host))

    # ---- deciding: a fresh cached body, else Scrapy's own download ---------------------------
    async def robot_parser(self, request):
        host = urlparse_cached(request).netloc
        parser = self.cached_parsers.get(host)
        if parser is not None:
            return parser
        if host not in self.looked_up:
            self.looked_up.add(host)
            self.source_of.setdefault(host, request.meta.get("newscrawl_source"))
            store = self.store()
            try:
                row = store.robots(host) if store is not None else None
            except Exception as exc:  # a failing state costs this run its robots.txt economy, nothing else
                logger.warning("robots.txt cache of %s not read: %s", host, one_line(str(exc)))
                row = None
            if row is not None and time.time() - row["fetched_at"] < self.ttl:
                parser = build_from_crawler(self.parser_class, self.crawler, row["body"])
                self.cached_parsers[host] = parser
                self.count("robots/cached", host)
                return parser
            if row is not None:
                self.stale[host] = row
        parser = await super().robot_parser(request)
        if parser is None and host in self.stale:
            # unreachable now: the rules last read stand in (RFC 9309 allows a cached copy), not "allow all"
            parser = self.cached_parsers.get(host)
            if parser is None:
                parser = self.cached_parsers[host] = build_from_crawler(
                    self.parser_class, self.crawler, self.stale[host]["body"])
                self.count("robots/stale_used", host)
        return parser

    # ---- the robots.txt request Scrapy makes: conditional, bounded, recorded -----------------
    @staticmethod
    def is_robots_request(request) -> bool:
        return (request.callback is NO_CALLBACK and bool(request.meta.get("dont_obey_robotstxt"))
                and urlparse_cached(request).path == "/robots.txt")

    async def process_request(self, request):
        if self.is_robots_request(request):
            host = request.meta.setdefault(HOST_KEY, urlparse_cached(request).netloc)
            if self.maxsize > 0:
                # bounded here (bytes_received): Scrapy's own size warning would be a second line
                request.meta["download_warnsize"] = 0
            stale = self.stale.get(host)
            if stale is not None:
                for name, value in conditional_headers(stale["etag"], stale["last_modified"]).items():
                    request.headers[name] = value
            return None
        return await super().process_request(request)

    def bytes_received(self, data, request, spider=None):
        if HOST_KEY not in request.meta:
            return
        received = request.meta[RECEIVED_KEY] = request.meta.get(RECEIVED_KEY, 0) + len(data)
        if received > self.maxsize:
            raise StopDownload(fail=False)  # the response keeps what arrived so far

    def process_response(self, request, response):
        host = request.meta.get(HOST_KEY)
        if host is None:
            return response
        store = self.store()
        if response.status == NOT_MODIFIED and host in self.stale:
            self.count("robots/not_modified", host)
            if store is not None:
                try:
                    store.touch_robots(host)
                except Exception as exc:
                    logger.warning("robots.txt cache of %s not renewed: %s", host, one_line(str(exc)))
            return response.replace(status=200, body=self.stale.pop(host)["body"])
        if (response.status >= 500 or response.status == 429) and host in self.stale:
            self.count("robots/stale_used", host)
            logger.info("robots.txt of %s answered HTTP %d: the copy read before stands in", host, response.status)
            return response.replace(status=200, body=self.stale[host]["body"])
        if self.maxsize > 0 and (len(response.body) > self.maxsize or "download_stopped" in response.flags):
            self.count("robots/truncated", host)
            logger.warning("robots.txt of %s is larger than %d bytes: only its first %d bytes are read "
                           "(NEWSCRAWL_ROBOTS_MAXSIZE; RFC 9309 allows a limit)", host, self.maxsize, self.maxsize)
            response = response.replace(body=cut_at_line(response.body, self.maxsize))
        self.count("robots/fetched", host)
        # a server error says nothing lasting about the rules: asked again next run, never cached
        if store is not None and response.status < 500 and response.status != 429:
            etag, last_modified = validators_of(response)
            try:
                store.save_robots(host, response.status, response.body, etag, last_modified)
            except Exception as exc:  # the cache is an economy; a state that fails here fails loudly elsewhere
                logger.warning("robots.txt of %s not cached: %s", host, one_line(str(exc)))
        return response
