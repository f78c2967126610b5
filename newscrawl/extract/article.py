"""Entry point for article pages: detects the CMS (unless told) and runs its extractor."""

from __future__ import annotations

from parsel import Selector

from newscrawl.extract import generic, thepaper, vsb, webplus, wechat
from newscrawl.extract.detect import detect_cms
from newscrawl.extract.result import Extracted

EXTRACTORS = {"webplus": webplus.extract, "vsb": vsb.extract, "thepaper": thepaper.extract,
              "generic": generic.extract, "wechat": wechat.extract}


def extract_article(html: str, url: str, cms: str = "auto", selectors: dict | None = None) -> Extracted:
    """Extract one article page (HTML text already decoded) published at url."""
    if cms in (None, "", "auto"):
        cms = detect_cms(html, url)
    sel = Selector(text=html)
    result = EXTRACTORS[cms](sel, url, selectors)
    if not result.paragraphs and cms in ("webplus", "vsb", "thepaper"):
        # a template the CMS extractor does not know: better the densest text than nothing
        fallback = generic.extract(sel, url, selectors)
        if fallback.paragraphs:
            result.paragraphs, result.images = fallback.paragraphs, fallback.images
            result.attachments = result.attachments or fallback.attachments
            result.notes.append(f"{cms} body not found: generic main-text extraction used")
    return result
