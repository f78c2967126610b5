"""Entry point for article pages: detects the CMS (unless told) and runs its extractor."""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import plausible_published
from newscrawl.extract import generic, thepaper, vsb, webplus, wechat
from newscrawl.extract.common import meta_map, page_title
from newscrawl.extract.confidence import assess
from newscrawl.extract.detect import detect_cms
from newscrawl.extract.result import Extracted

EXTRACTORS = {"webplus": webplus.extract, "vsb": vsb.extract, "generic": generic.extract}


def link_base(sel: Selector, url: str, base_url: str | None = None) -> str:
    """What relative links resolve against: the page's <base href>, else the URL actually fetched."""
    fetched = base_url or url
    href = sel.root.xpath("string(//base[@href][1]/@href)").strip()
    return urljoin(fetched, href) if href else fetched


def extract_article(html: str, url: str, cms: str = "auto", selectors: dict | None = None,
                    base_url: str | None = None) -> Extracted:
    """Extract one article page (HTML text already decoded) published at url.

    url is the article's identity (as linked); base_url the URL fetched, after any redirect.
    """
    if cms in (None, "", "auto"):
        cms = detect_cms(html, url)
    sel = Selector(text=html)
    base = link_base(sel, url, base_url)
    if cms in ("thepaper", "wechat"):
        # their pages carry absolute URLs; their extractors keep their own signature
        result = {"thepaper": thepaper.extract, "wechat": wechat.extract}[cms](sel, url, selectors)
    else:
        result = EXTRACTORS[cms](sel, url, selectors, base)
    if not result.body_found and cms in ("webplus", "vsb", "thepaper"):
        # a template the CMS extractor does not know: better the densest text than nothing (an
        # EMPTY content container is not that case: it has no text, and the chrome is not its text)
        fallback = generic.extract(sel, url, selectors, base)
        if fallback.paragraphs:
            result.paragraphs, result.images, result.links = fallback.paragraphs, fallback.images, fallback.links
            result.attachments = result.attachments or fallback.attachments
            result.evidence = fallback.evidence
            result.notes.append(f"{cms} body not found: generic main-text extraction used")
        result.published = result.published or fallback.published
    if result.published is not None and plausible_published(result.published) is None:
        result.notes.append(f"date {result.published:%Y-%m-%d} lies in the future: not the publication date")
        result.published = None
    assess(result, sel.root, page_title(sel), meta_map(sel))
    return result
