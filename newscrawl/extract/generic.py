"""Fallback extraction for pages of no known CMS: the densest text block, the page's heading."""

from __future__ import annotations

from parsel import Selector

from newscrawl.dates import parse_date
from newscrawl.extract.blocks import html_blocks
from newscrawl.extract.common import (
    attachment_links, first_text, meta_content, page_title, strip_site_suffix,
)
from newscrawl.extract.result import Extracted

CONTAINER_XPATH = "//article | //main | //div | //section | //td"
DATE_META = ("article:published_time", "PubDate", "publishdate", "pubdate", "date", "publish_time")


def _densest(sel: Selector):
    """The container whose direct <p> children hold the most text: the article body, usually."""
    best, best_score = None, 0
    for el in sel.xpath(CONTAINER_XPATH):
        score = sum(len("".join(p.xpath(".//text()").getall()).strip()) for p in el.xpath("./p"))
        if score > best_score:
            best, best_score = el, score
    return best


def extract(sel: Selector, url: str, selectors: dict | None = None) -> Extracted:
    selectors = selectors or {}
    result = Extracted(cms="generic")
    result.notes.append("no known CMS: generic main-text extraction")
    result.title = (
        (first_text(sel, selectors["title"]) if selectors.get("title") else None)
        or meta_content(sel, "ArticleTitle") or meta_content(sel, "og:title")
        or first_text(sel, "h1") or strip_site_suffix(page_title(sel))
    )
    date_text = first_text(sel, selectors["date"]) if selectors.get("date") else None
    result.published = parse_date(date_text) or next(
        (d for d in (parse_date(meta_content(sel, name)) for name in DATE_META) if d), None
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
