"""Article URL identity: the canonical form of a published URL and its MD5 (the archive's urlname)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from w3lib.url import safe_url_string, url_query_cleaner

# Query parameters added by share buttons and analytics; they never select a different article.
TRACKING_PARAM_RE = re.compile(r"^(?:utm_\w+|spm|from|isappinstalled|share_token|scene|clicktime|enterid|sharer_\w+|fbclid|gclid)$", re.I)

DEFAULT_PORTS = {"http": 80, "https": 443}
DOT_SEGMENT_RE = re.compile(r"(?:^|/)\.{1,2}(?:/|$)")


def canonical_url(url: str) -> str:
    """The one form of an article URL that is requested, recorded, looked up, claimed and compared.

    The URL as published, written as it goes on the wire (w3lib's safe_url_string, which is what a
    Scrapy request does to it: non-ASCII and spaces percent-encoded as UTF-8, scheme and host in
    lower case), minus its fragment, a default port, dot segments and tracking parameters. Nothing
    else is rewritten: the query keeps its order (canonicalize_url would sort it, and so rename archived articles), and an
    ordinary ASCII URL is unchanged, so its urlname stays the MD5 of the URL as published.
    """
    url = (url or "").strip()
    try:
        url = safe_url_string(url)
    except ValueError:  # not a URL anything could be fetched from ('http://[::1'): left as it is
        return url
    if is_wechat_url(url):
        return wechat_post_url(url)
    parts = urlsplit(url)
    changed = bool(parts.fragment)
    parts = parts._replace(fragment="")
    if _port(parts) is not None and DEFAULT_PORTS.get(parts.scheme) == _port(parts):
        # ':80' and ':443' name the same page as no port at all (the host keeps its case: lowered already)
        parts, changed = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]), True
    if DOT_SEGMENT_RE.search(parts.path):
        # '/info/../info/1.htm' is '/info/1.htm' (RFC 3986 remove_dot_segments, as a browser resolves it)
        parts, changed = parts._replace(path=remove_dot_segments(parts.path)), True
    if changed:
        url = urlunsplit(parts)
    if parts.query:
        tracking = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if TRACKING_PARAM_RE.match(k)]
        if tracking:
            # unique=False: a repeated key (?id=1&id=2) is part of the article's identity
            url = url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=False)
    return url


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: '/a/./b/../c' is '/a/c' (by hand: urljoin reads '//a' as a host)."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out) if out != [""] else "/"


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:  # ':abc', ':99999': not a port to drop
        return None


def urlname(url: str) -> str:
    """The article's identity in the archive: lowercase hex MD5 of its canonical URL."""
    return hashlib.md5(canonical_url(url).encode("utf-8")).hexdigest()


def first_url(r) -> str:
    """The URL a request (or the response to it) asked for first, before any redirect."""
    return (r.meta.get("redirect_urls") or [r.url])[0]


def is_http_url(url: str) -> bool:
    return urlsplit(url or "").scheme in ("http", "https")


def host_of(url: str) -> str:
    return (urlsplit(url or "").hostname or "").lower()


# A WeChat post is named by these query parameters (or by its short /s/<token> path); everything
# else in its links (chksm, scene, sharer_*, mpshare, srcid, pass_ticket, ...) tracks the reader.
WECHAT_HOST = "mp.weixin.qq.com"
WECHAT_MEDIA_DOMAINS = ("qpic.cn", "qlogo.cn")  # where WeChat serves a post's pictures (mmbiz.qpic.cn)
WECHAT_IDENTITY_PARAMS = ("__biz", "mid", "idx", "sn", "appmsgid", "itemidx")


def is_wechat_url(url: str) -> bool:
    """A link to a WeChat official-account post (mp.weixin.qq.com/s..., the old /mp/appmsg/show)."""
    parts = urlsplit(url or "")
    return ((parts.hostname or "").lower() == WECHAT_HOST
            and (parts.path == "/s" or parts.path.startswith("/s/") or parts.path.startswith("/s?")
                 or parts.path == "/mp/appmsg/show"))


def wechat_post_url(url: str) -> str:
    """The identity of a WeChat post: https, its path, and only __biz/mid/idx/sn in that order.

    The same post is linked over http and https, with its parameters in any order and with
    per-reader tracking appended, so the identity is rebuilt rather than cleaned.
    """
    parts = urlsplit(url.strip())
    if parts.path.startswith("/s/"):
        return urlunsplit(("https", WECHAT_HOST, parts.path, "", ""))
    # split by hand: parse_qsl would read a '+' of a base64 __biz as a space
    params = {}
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        params.setdefault(unquote(key), unquote(value))
    query = "&".join(f"{k}={quote(params[k], safe='=/+')}" for k in WECHAT_IDENTITY_PARAMS if params.get(k))
    return urlunsplit(("https", WECHAT_HOST, parts.path, query, ""))
