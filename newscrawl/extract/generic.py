"""Extraction for pages of no known CMS: the headline, the densest text container, the stated date."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import date_from_url, parse_date
from newscrawl.extract.blocks import SKIP_TAGS, Blocks, html_blocks
from newscrawl.extract.common import (
    CJK_RE, attachment_links, dedupe_attachments, first_text, meta_map, page_title, select, strip_site_suffix, text_of,
)
from newscrawl.extract.maintext import MainText, find_main_text
from newscrawl.extract.result import Extracted
from newscrawl.extract.rules import DATE_LABELS, DATE_META, TITLE_META, candidates

# Where a headline is: headings, and elements whose class says title (not the site's logo or nav).
HEADLINE_XPATH = ("//h1 | //h2 | //h3 | //h4 | //*[contains(@class, 'tit') or contains(@class, 'Tit') or "
                  "contains(@class, 'biaoti') or contains(@class, 'headline') or contains(@class, 'heading')]"
                  "[not(self::html or self::body or self::a)] | //td//b | //td//strong")
NOT_CONTENT_XPATH = "ancestor-or-self::*[self::nav or self::header or self::footer or self::a]"
# A leading paragraph that is the article's meta line (date, source, author), not its text.
META_LINE_RE = re.compile(r"^[\s\d/:.年月日时分-]+$|(?:来源|作者|发布|时间|日期|编辑|浏览|点击)\s*[:：]")
DATE_LABEL_RE = re.compile("(?:" + "|".join(DATE_LABELS) + r")\s*[:：]\s*(?P<date>[^\n|]{6,30})")


def _rank(el) -> int:
    """How high a heading ranks: h1 first, then h2…h4; other title-like elements after them."""
    return int(el.tag[1]) if re.fullmatch(r"h[1-6]", el.tag or "") else 5


def _headline(sel: Selector, meta: dict, main: MainText | None) -> str | None:
    """The article's headline: the heading that the page's <title> names, else the last one before
    the body; the <title> itself (minus the site's name) only when neither exists."""
    page = page_title(sel) or ""
    flat_page = re.sub(r"\s+", "", page)
    body_root = main.roots[0] if main is not None else None
    before, named = [], []
    for el in sel.root.xpath(HEADLINE_XPATH):
        if el.xpath(NOT_CONTENT_XPATH) or (main is not None and main.is_furniture(el)):
            continue
        if body_root is not None and (el is body_root or body_root in el.iterancestors()):
            break  # headings inside the body are the body's
        text = text_of(el)
        if not (4 <= len(text) <= 120) or not CJK_RE.search(text) and len(text) < 10:
            continue
        if text_of(el.getparent()) != text and el.tag in ("b", "strong"):
            continue  # bold words inside a paragraph, not a headline
        if re.sub(r"\s+", "", text) in flat_page:
            named.append(text)
        before.append((el, text))
    if named:
        # the <title> is '标题-站点名': a heading equal to its head part is the headline, not the
        # site's name in the logo
        head = re.sub(r"\s+", "", strip_site_suffix(page) or "")
        exact = [t for t in named if re.sub(r"\s+", "", t) == head]
        return exact[0] if exact else max(named, key=len)
    for key in TITLE_META:
        if meta.get(key):
            return meta[key]
    if before and body_root is not None:
        # the heading nearest the body, or the higher heading above it in the same box (a
        # subtitle '——记……' sits between the headline and the body)
        el, text = before[-1]
        for other, other_text in reversed(before[:-1]):
            if other.getparent() is not el.getparent():
                break
            if _rank(other) < _rank(el):
                el, text = other, other_text
        return text
    return first_text(sel, "h1", title=True) or strip_site_suffix(page)


def _stated_date(sel: Selector, meta: dict, roots: list, url: str):
    """The publication date: meta tags, <time datetime>, then the labelled date near the body."""
    for css in candidates("generic", "date", None):
        for el in select(sel, css):
            found = parse_date(el.get("datetime") or text_of(el))
            if found:
                return found
    for key in DATE_META:
        found = parse_date(meta.get(key))
        if found:
            return found
    if roots:
        # the meta line sits next to the body: look outward from it, outside the body's own text
        node = roots[0]
        for _ in range(4):
            node = node.getparent()
            if node is None:
                break
            around = "\n".join(t for t in _texts_outside(node, roots))
            label = DATE_LABEL_RE.search(around)
            found = (parse_date(label["date"]) if label else None) or parse_date(around)
            if found:
                return found
    return date_from_url(url)


def _texts_outside(scope, skip: list):
    inside = {el for root in skip for el in root.iter()}
    for el in scope.iter():
        if el in inside:
            if el in skip and el.tail:
                yield el.tail
            continue
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            if el.tail:
                yield el.tail
            continue
        if el.text:
            yield el.text
        if el.tail and el is not scope:
            yield el.tail


def _body(sel: Selector, selectors: dict) -> tuple[list, set, MainText | None]:
    """(body elements, furniture inside them, the evidence) — a source's selector, else the main text."""
    for css in candidates("generic", "body", selectors):
        found = select(sel, css)
        if found:
            return [found[0]], set(), None
    main = find_main_text(sel.root)
    return (main.roots, main.skip, main) if main is not None else ([], set(), None)


def extract(sel: Selector, url: str, selectors: dict | None = None, base: str | None = None) -> Extracted:
    selectors = selectors or {}
    base = base or url
    result = Extracted(cms="generic")
    result.notes.append("no known CMS: generic main-text extraction")
    meta = meta_map(sel)
    roots, skip, main = _body(sel, selectors)
    result.evidence = main
    override_title = first_text(sel, selectors["title"], title=True) if selectors.get("title") else None
    result.title = override_title or meta.get("articletitle") or _headline(sel, meta, main)
    override_date = first_text(sel, selectors["date"]) if selectors.get("date") else None
    result.published = parse_date(override_date) or _stated_date(sel, meta, roots, url)
    if not roots:
        result.body_found = False
        return result
    blocks = Blocks()
    for root in roots:
        part = html_blocks(root, base, skip)
        blocks.paragraphs += part.paragraphs
        blocks.images += [i for i in part.images if i not in blocks.images]
        blocks.links += part.links
    paragraphs = blocks.paragraphs
    if result.title and paragraphs and re.sub(r"\s+", "", paragraphs[0]) == re.sub(r"\s+", "", result.title):
        paragraphs = paragraphs[1:]  # the body container repeats the headline
    while paragraphs and len(paragraphs[0]) <= 80 and META_LINE_RE.search(paragraphs[0]) and parse_date(paragraphs[0]):
        paragraphs = paragraphs[1:]  # ... or its meta line
    result.paragraphs, result.images = paragraphs, blocks.images
    result.attachments = dedupe_attachments(attachment_links(blocks.links, base) + _files_beside(roots, base, main))
    return result


def _files_beside(roots: list, base: str, main: MainText | None) -> list[dict]:
    """File links next to the body (a notice's 附件 block below its text), not in page furniture."""
    scope = roots[0].getparent()
    if scope is None:
        return []
    links = []
    for a in scope.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or any(r in a.iterancestors() for r in roots) or (main is not None and main.is_furniture(a)):
            continue
        links.append((urljoin(base, href), text_of(a)))
    return attachment_links(links, base, extra_patterns=("download.jsp", "downfile"))
