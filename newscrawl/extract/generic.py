"""Fallback extraction for pages of no known CMS: the densest text block, the page's heading."""

from __future__ import annotations

from parsel import Selector

from newscrawl.dates import parse_date
from newscrawl.extract.blocks import html_blocks
from newscrawl.extract.common import (
    attachment_links, first_text, meta_map, page_title, strip_site_suffix,
)
from newscrawl.extract.result import Extracted

CONTAINER_TAGS = frozenset({"article", "main", "div", "section", "td"})
DATE_META = ("article:published_time", "PubDate", "publishdate", "pubdate", "date", "publish_time")


def _densest(sel: Selector):
    """The container whose direct <p> children hold the most text: the article body, usually."""
    scores: dict = {}
    for p in sel.root.iter("p"):
        parent = p.getparent()
        if parent is not None and parent.tag in CONTAINER_TAGS:
            scores[parent] = scores.get(parent, 0) + len("".join(p.itertext()).strip())
    if not scores:
        return None
    best = max(scores, key=scores.get)
    return Selector(root=best) if scores[best] else None


def extract(sel: Selector, url: str, selectors: dict | None = None) -> Extracted:
    selectors = selectors or {}
    result = Extracted(cms="generic")
    result.notes.append("no known CMS: generic main-text extraction")
    meta = meta_map(sel)
    result.title = (
        (first_text(sel, selectors["title"]) if selectors.get("title") else None)
        or meta.get("articletitle") or meta.get("og:title")
        or first_text(sel, "h1") or strip_site_suffix(page_title(sel))
    )
    date_text = first_text(sel, selectors["date"]) if selectors.get("date") else None
    result.published = parse_date(date_text) or next(
        (d for d in (parse_date(meta.get(name.lower())) for name in DATE_META) if d), None
    )
    body = sel.css(selectors["body"])[0] if selectors.get("body") and sel.css(selectors["body"]) else _densest(sel)
    if body is None:
        return result
    if result.published is None:
        parent = body.root.getparent()
        scope = parent if parent is not None else body.root
        result.published = parse_date(" ".join(scope.itertext())[:2000])
    blocks = html_blocks(body.root, url)
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    result.attachments = attachment_links(blocks.links, url)
    return result
