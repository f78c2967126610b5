"""Downloader middlewares: stay on the source's sites, decode by evidence, see anti-bot walls, back off."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, TextResponse

from newscrawl.encoding import choose_encoding
from newscrawl.extract.detect import is_antibot_page
from newscrawl.outcomes import count
from newscrawl.urls import host_of

logger = logging.getLogger(__name__)


class BlockedRequest(IgnoreRequest):
    """The site answered with an anti-bot page; counted by the middleware that raised it."""


class OffsiteRequest(IgnoreRequest):
    """A request or redirect outside the source's domains, or to a private address: refused."""


def host_allowed(host: str, domains) -> bool:
    """host is one of domains or a subdomain of one; an IP literal only when a domain names it exactly."""
    host = (host or "").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        return host in domains
    return any(host == d or host.endswith("." + d) for d in domains)


def is_internal_address(host: str) -> bool:
    """Loopback, private, link-local (169.254.169.254) and other non-public IP literals; localhost."""
    host = (host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def robots_url(url: str) -> str:
    """The robots.txt Scrapy's RobotsTxtMiddleware asks for before fetching url."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class OffsiteGuardMiddleware:
    """Every newscrawl request (and every redirect, which comes back through here) stays on its source.

    Article requests are dont_filter (see NewsSpider.article_request), which also switches off Scrapy's
    OffsiteMiddleware, and redirects inherit it; so the guard reads the domains each request carries
    in meta["newscrawl_domains"] (+ meta["newscrawl_extra_domains"]) instead.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.named_robots: set[str] = set()  # robots.txt URLs of internal addresses a source names

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        host = host_of(request.url)
        domains = request.meta.get("newscrawl_domains")
        if domains is None:
            # Scrapy's own robots.txt requests (and commands without a source): an internal address
            # only for the robots.txt of one a source names, whose page passed here just before
            if is_internal_address(host) and request.url not in self.named_robots:
                return self.refuse(request, host, "a private or loopback address no source names")
            return None
        domains = tuple(domains) + tuple(request.meta.get("newscrawl_extra_domains") or ())
        if host_allowed(host, domains):
            if is_internal_address(host):
                self.named_robots.add(robots_url(request.url))
            return None
        why = "a private or loopback address" if is_internal_address(host) else f"outside {', '.join(domains[:3])}"
        return self.refuse(request, host, why)

    def refuse(self, request, host: str, why: str):
        redirected = bool(request.meta.get("redirect_urls"))
        kind = "offsite_redirect" if redirected else "offsite"
        count(self.crawler.stats, f"errors/{kind}", source=request.meta.get("newscrawl_source"))
        origin = request.meta["redirect_urls"][0] if redirected else request.url
        raise OffsiteRequest(f"{'redirect to' if redirected else 'request for'} {host} refused ({why}) <{origin}>")


class EncodingMiddleware:
    """Re-decodes HTML whose declared encoding the bytes contradict (UTF-8 header over GBK, lying BOM)."""

    def process_response(self, request, response):
        if not isinstance(response, TextResponse) or not response.body:
            return response
        if request.meta.get("newscrawl_kind") == "file":
            return response  # a kept file keeps the bytes the site served
        if not isinstance(response, HtmlResponse) and b"<html" not in response.body[:2048].lower():
            return response
        encoding, bom = choose_encoding(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if not bom and _same_codec(response.encoding, encoding):
            return response
        # an explicit encoding wins over header and <meta>; the BOM goes so it cannot win either
        return response.replace(body=response.body[bom:], encoding=encoding)


def _same_codec(a: str | None, b: str) -> bool:
    import codecs

    try:
        return bool(a) and codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


class AntiBotMiddleware:
    """Turns a wall page into a counted, logged refusal instead of content.

    Runs after HttpCompressionMiddleware has decompressed the body (a gzip-served 瑞数 page).
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.warned_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if request.meta.get("newscrawl_kind") == "views":
            return response
        if not is_antibot_page(response.status, response.body):
            return response
        host = host_of(response.url)
        source = request.meta.get("newscrawl_source")
        self.crawler.stats.inc_value(f"newscrawl/blocked_host/{host}")
        if request.meta.get("newscrawl_kind") in ("article", "file"):
            # the spider judges an article's wall at the end of the run (the site's, or the article's
            # alone); a kept file's is that file's failure (pipelines/files.py): counted there, once
            raise BlockedRequest(f"anti-bot page from {host} (HTTP {response.status})")
        count(self.crawler.stats, "blocked", source=source)
        if host not in self.warned_hosts:
            self.warned_hosts.add(host)
            logger.error("%s blocked the crawler: an anti-bot page (瑞数, HTTP %d) instead of content <%s>",
                         host, response.status, response.url)
        raise BlockedRequest(f"anti-bot page from {host}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but each retry waits base * 2^(n-1) seconds first: small servers recover."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX")

    def process_response(self, request, response):
        return self.with_backoff(super().process_response(request, response))

    def process_exception(self, request, exception):
        return self.with_backoff(super().process_exception(request, exception))

    def with_backoff(self, result):
        """A retry Scrapy decided on (a new Request) waits before it goes out; anything else passes."""
        if isinstance(result, Request) and self.base > 0:
            result.meta["newscrawl_retry_delay"] = min(self.cap, self.base * 2 ** (result.meta.get("retry_times", 1) - 1))
        return result

    async def process_request(self, request):
        # runs before the request takes a downloader slot, so waiting here blocks nothing else
        delay = request.meta.pop("newscrawl_retry_delay", 0)
        if delay:
            await asyncio.sleep(delay)
        return None
