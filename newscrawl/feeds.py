"""The CMS's own list feeds, found on a column's first page: the WebPlus list API and VSB's RSS.

One feed request reads many pages' worth of rows (title, time, link). Detect, never require: a feed
is used only when the page names it and its first answer agrees with the HTML list; otherwise the
column is read page by page as before.

WebPlus (SITES.md "machine endpoints"): `POST /_wp3services/generalQuery?queryObj=articles` with form
fields siteId, columnId, pageIndex, rows, orders, returnInfos; it answers JSON `{"total": N, "data":
[{"title", "url", "publishTime", …}]}` (`url` may be relative; some sites name it `link`). siteId is
on every page (`sudy-wp-siteId`); the column id in the `_visitcount?…&columnId=` beacon, the list URL
(`/523/list.htm`) or the rows' article URLs (`/c523a633142/page.htm`).

VSB: `/system/resource/code/rss/rssfeed.jsp?type=list&treeid=…&viewid=…&owner=…&contentid=…&number=N`,
linked from a (hidden) "RSS文章发布" portlet; RSS 2.0 `<item><link>`; no pages, `number` rows at most.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from newscrawl.urls import canonical_url, is_http_url

WEBPLUS_API = "webplus_api"
VSB_RSS = "vsb_rss"
WEBPLUS_API_PATH = "/_wp3services/generalQuery?queryObj=articles"
# the order the site's own list shows: pinned rows first, then the newest
WEBPLUS_ORDERS = json.dumps([{"field": "top", "type": "desc"}, {"field": "publishTime", "type": "desc"}])
WEBPLUS_RETURN = json.dumps([{"field": "title", "name": "title"}, {"field": "publishTime", "name": "publishTime"},
                             {"field": "url", "name": "url"}])
SITE_ID_RE = re.compile(r"""sudy-wp-siteId\s*=\s*["']?(\d+)""", re.I)
BEACON_RE = re.compile(r"_visitcount\?siteId=(\d+)&(?:amp;)?type=[12]&(?:amp;)?columnId=(\d+)", re.I)
LIST_PATH_RE = re.compile(r"/(\d+)/list(?:m)?\d*\.(?:htm|psp)$")
ARTICLE_COLUMN_RE = re.compile(r"/c(\d+)a\d+/page")
VSB_RSS_RE = re.compile(r"""/system/resource/code/rss/rssfeed\.jsp\?[^"'<>\s]+""")
VSB_TREE_RE = re.compile(r"/info/(\d+)/\d+\.htm")


class FeedError(ValueError):
    """The feed did not answer as the CMS's does (an error status, another shape, other rows)."""


@dataclass(frozen=True)
class Feed:
    kind: str                                    # WEBPLUS_API or VSB_RSS
    endpoint: str                                # the URL asked
    params: dict = field(default_factory=dict)   # WebPlus: siteId, columnId

    def describe(self) -> str:
        if self.kind == WEBPLUS_API:
            return f"the WebPlus list API (siteId {self.params.get('siteId')}, columnId {self.params.get('columnId')})"
        return "the VSB RSS feed"


@dataclass
class FeedPage:
    links: list[str]
    total: int | None  # rows the column holds, when the feed says


def _majority(values: list[str]) -> str | None:
    """The value at least half of them share (None for no clear one)."""
    if not values:
        return None
    value, n = Counter(values).most_common(1)[0]
    return value if n * 2 >= len(values) else None


def detect_feed(html: str, url: str, cms: str, links: list[str]) -> Feed | None:
    """The feed a column's first page names, or None: siteId/columnId for WebPlus, the RSS link whose
    tree is the rows' for VSB."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if cms == "webplus":
        beacon = BEACON_RE.search(html)
        site = beacon.group(1) if beacon else (SITE_ID_RE.search(html) or [None, None])[1]
        if not site:
            return None
        column = beacon.group(2) if beacon else None
        if column is None:
            path = LIST_PATH_RE.search(parts.path)
            column = path.group(1) if path else _majority(
                [m.group(1) for m in map(ARTICLE_COLUMN_RE.search, links) if m])
        if not column:
            return None
        return Feed(WEBPLUS_API, origin + WEBPLUS_API_PATH, {"siteId": site, "columnId": column})
    if cms == "vsb":
        tree = _majority([m.group(1) for m in map(VSB_TREE_RE.search, links) if m])
        for href in VSB_RSS_RE.findall(html):
            query = dict(parse_qsl(urlsplit(href.replace("&amp;", "&")).query, keep_blank_values=True))
            if query.get("type") == "list" and tree and query.get("treeid") == tree:
                return Feed(VSB_RSS, origin + href.replace("&amp;", "&").split("?", 1)[0], query)
    return None


def feed_request(feed: Feed, page_index: int, rows: int) -> dict:
    """scrapy.Request keyword arguments (url, method, body, headers) for one page of a feed."""
    if feed.kind == WEBPLUS_API:
        form = {"siteId": feed.params["siteId"], "columnId": feed.params["columnId"], "pageIndex": str(page_index),
                "rows": str(rows), "orders": WEBPLUS_ORDERS, "returnInfos": WEBPLUS_RETURN}
        return {"url": feed.endpoint, "method": "POST", "body": urlencode(form),
                # as the site's own list script asks it
                "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                            "Accept": "application/json, text/javascript, */*; q=0.01",
                            "X-Requested-With": "XMLHttpRequest"}}
    query = {**feed.params, "number": str(rows)}
    return {"url": f"{feed.endpoint}?{urlencode(query)}", "method": "GET", "body": None,
            "headers": {"Accept": "application/rss+xml, application/xml, text/xml"}}


def _article_url(href, base_url: str) -> str | None:
    """A row's link as the HTML list would give it: absolute, canonical, and on the list's own scheme
    and port when it names the list's host (the API may say http:// where the list is https://)."""
    if not isinstance(href, str) or not href.strip():
        return None
    url = urljoin(base_url, href.strip())
    if not is_http_url(url):
        return None
    base, parts = urlsplit(base_url), urlsplit(url)
    if parts.hostname and parts.hostname == base.hostname:
        url = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
    return canonical_url(url)


def _article_urls(hrefs, base_url: str) -> list[str]:
    """The rows' article URLs (_article_url), each once, in the feed's order."""
    return list(dict.fromkeys(url for url in (_article_url(href, base_url) for href in hrefs) if url))


def parse_feed(feed: Feed, body: bytes, base_url: str) -> FeedPage:
    """The article links of one feed answer (raises FeedError when it is not the CMS's answer)."""
    if feed.kind == WEBPLUS_API:
        try:
            answer = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise FeedError("the answer is not JSON") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
            raise FeedError("the answer has no data list")
        links = _article_urls((row.get("url") or row.get("link") for row in answer["data"] if isinstance(row, dict)),
                              base_url)
        try:
            total = int(answer.get("total"))
        except (TypeError, ValueError):
            total = None
        return FeedPage(links, total)
    try:
        page = Selector(body=body, type="xml")
        items = page.xpath("//item/link/text()").getall()
    except Exception:
        raise FeedError("the answer is not RSS") from None
    if not page.xpath("/rss | /*[local-name()='rss']"):
        raise FeedError("the answer is not RSS")
    return FeedPage(_article_urls(items, base_url), None)


def agrees(feed_links: list[str], page_links: list[str]) -> bool:
    """The feed lists the column the page shows: at least half of the page's rows are among its first answer."""
    if not page_links:
        return bool(feed_links)
    shared = len(set(page_links) & set(feed_links))
    return shared > 0 and shared * 2 >= len(set(page_links))
