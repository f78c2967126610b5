"""Article URL identity: the canonical form of a published URL and its MD5 (the archive's urlname)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

# Query parameters added by share buttons and analytics; they never select a different article.
TRACKING_PARAM_RE = re.compile(r"^(?:utm_\w+|spm|from|isappinstalled|share_token|scene|clicktime|enterid|sharer_\w+|fbclid|gclid)$", re.I)


def canonical_url(url: str) -> str:
    """The URL as published, minus its fragment and tracking parameters (nothing else is rewritten)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.fragment:
        parts = parts._replace(fragment="")
        url = urlunsplit(parts)
    if parts.query:
        tracking = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if TRACKING_PARAM_RE.match(k)]
        if tracking:
            url = url_query_cleaner(url, tracking, remove=True, keep_fragments=False)
    return url


def urlname(url: str) -> str:
    """The article's identity in the archive: lowercase hex MD5 of its canonical URL."""
    return hashlib.md5(canonical_url(url).encode("utf-8")).hexdigest()


def is_http_url(url: str) -> bool:
    return urlsplit(url or "").scheme in ("http", "https")


def host_of(url: str) -> str:
    return (urlsplit(url or "").hostname or "").lower()
