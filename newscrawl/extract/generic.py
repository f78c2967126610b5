"""Extraction for pages of no known CMS: the headline, the densest text container, the stated date."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import date_from_url, parse_date
from newscrawl.extract.blocks import SKIP_TAGS, Blocks, html_blocks
from newscrawl.extract.common import (
    attachment_links, dedupe_attachments, first_text, meta_map, page_title, select, squeeze, text_of,
)
from newscrawl.extract.headline import find_headline
from newscrawl.extract.maintext import MainText, find_main_text
from newscrawl.extract.result import Extracted
from newscrawl.extract.rules import DATE_LABELS, DATE_META, candidates

# A leading paragraph that is the article's meta line (date, source, author), not its text.
META_LINE_RE = re.compile(r"^[\s\d/:.年月日时分-]+$|(?:来源|作者|发布|时间|日期|编辑|浏览|点击)\s*[:：]")
# The value after a date label: in the same line, or in the next table cell ('发布日期 | 2021年06月18日').
DATE_AFTER_LABEL = r"\s*[:：]?\s*(?P<date>[^\n|]{6,30}|\n\s*[^\n|]{6,30})"
# A date that is not the article's: the header's clock ('今天是：2024年4月28日 星期日').
# A copyright line's dates are the site's ('Copyright © 2011-04-20 某某学院 版权所有'), never the article's.
NOT_PUBLISHED_RE = re.compile(r"(?:今天是|今日|今天|当前日期|当前时间|现在时间|现在是)\s*[:：]?\s*[^\n]{0,30}"
                              r"|(?:copyright|©|\(c\)|版权所有)[^\n]{0,40}", re.I)
# A labelled date written without separators ('发布日期：20230506'); never read as a date unlabelled.
COMPACT_DATE_RE = re.compile(r"^\s*((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
LD_PUBLISHED_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')
DATE_LOOKBACK_BLOCKS = 12  # blocks above the body searched for its date line
LINK_BOX_DENSITY, LINK_BOX_LINKS = 0.5, 3  # a box of other stories' links (their dates are theirs)
SIGNATURE_MAX_CHARS = 20  # a notice's last line that is only its date ('2009年3月30日', '二〇一五年三月二日')
HEADLINE_MIN_CHARS, HEADLINE_MAX_CHARS = 4, 80  # a body's first line that may be the page's headline


def _stated_date(sel: Selector, meta: dict, roots: list, url: str, meta_lines: list[str],
                 paragraphs: list[str], main: MainText | None = None):
    """The publication date: <time datetime>, meta tags, the body's own meta line, the labelled date
    near the body, the URL's day, and last the signature date that ends a notice."""
    for css in candidates("generic", "date", None):
        for el in select(sel, css):
            found = parse_date(el.get("datetime") or text_of(el))
            if found:
                return found
    for key in DATE_META:
        found = parse_date(meta.get(key))
        if found:
            return found
    for script in sel.root.xpath("//script[@type='application/ld+json']/text()"):
        match = LD_PUBLISHED_RE.search(script)  # schema.org's datePublished, however the JSON is laid out
        found = parse_date(match[1]) if match else None
        if found:
            return found
    for line in meta_lines:
        found = _labelled_date(line) or parse_date(line)
        if found:
            return found
    if roots:
        # the meta line sits next to the body: look outward from it, outside the body's own text
        node = roots[0]
        for _ in range(4):
            node = node.getparent()
            if node is None:
                break
            around = NOT_PUBLISHED_RE.sub(" ", "\n".join(_texts_outside(node, roots, main)))
            found = _labelled_date(around) or parse_date(around)
            if found:
                return found
    found = _date_above_body(main) or date_from_url(url)
    if found:
        return found
    for line in paragraphs[-3:][::-1]:
        if len(line.strip()) <= SIGNATURE_MAX_CHARS:
            found = parse_date(line)
            if found:
                return found
    return None


def _date_above_body(main: MainText | None):
    """The date line between headline and body, however far up the tree it sits: the nearest
    blocks above the body, outside furniture."""
    if main is None:
        return None
    for el in main.blocks_above(DATE_LOOKBACK_BLOCKS):
        if main.is_furniture(el) or not main.stats.own[el][0]:
            continue
        text = NOT_PUBLISHED_RE.sub(" ", text_of(el))
        found = _labelled_date(text) or parse_date(text)
        if found:
            return found
    return None


def _labelled_date(text: str):
    """The date after the best label in text ('发布日期' before '日期'; a table cell's label too)."""
    for label in DATE_LABELS:
        for match in re.finditer(re.escape(label) + DATE_AFTER_LABEL, text):
            found = parse_date(match["date"]) or parse_date(COMPACT_DATE_RE.sub(r"\1-\2-\3", match["date"], count=1))
            if found:
                return found
    return None


def _texts_outside(scope, skip: list, main: MainText | None = None):
    """scope's text in page order, outside the body (skip) and outside boxes of links: a column of
    other stories with their dates ('通知公告 … 2023-06-28') is not this page's meta line."""
    stack: list = [(False, scope)]
    while stack:
        leaving, el = stack.pop()
        if leaving:
            if el.tail and el is not scope:
                yield el.tail
            continue
        if el in skip or not isinstance(el.tag, str) or el.tag in SKIP_TAGS \
                or (main is not None and el is not scope and _link_box(el, main)):
            if el.tail and el is not scope:
                yield el.tail
            continue
        if el.text:
            yield el.text
        stack.append((True, el))
        stack.extend((False, child) for child in reversed(el))


def _link_box(el, main: MainText) -> bool:
    """el is a box of links (rows of headlines), by the page's own figures."""
    return el.tag != "a" and main.stats.density(el) >= LINK_BOX_DENSITY \
        and sum(1 for _ in el.iter("a")) >= LINK_BOX_LINKS


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
    headline, how = find_headline(sel, meta, page_title(sel), main)
    result.title = override_title or meta.get("articletitle") or headline
    if not override_title and headline:
        result.notes.append(f"headline: {how}")
    override_date = first_text(sel, selectors["date"]) if selectors.get("date") else None
    if not roots:
        result.published = parse_date(override_date) or _stated_date(sel, meta, roots, url, [], [])
        result.body_found = False
        return result
    blocks = Blocks()
    for root in roots:
        part = html_blocks(root, base, skip)
        blocks.paragraphs += part.paragraphs
        blocks.images += [i for i in part.images if i not in blocks.images]
        blocks.links += part.links
    paragraphs = list(blocks.paragraphs)
    if not override_title and not meta.get("articletitle") and how == "<title>":
        atop = _headline_atop(paragraphs)
        if atop:
            # no headline above the body: the body's own first line, over its meta line, is it
            result.title = atop
            result.notes.append("headline: the first line of the body, above its meta line")
    if result.title and paragraphs and squeeze(paragraphs[0]) == squeeze(result.title):
        paragraphs = paragraphs[1:]  # the body container repeats the headline
    meta_lines = []
    while paragraphs and _is_meta_line(paragraphs[0]):
        meta_lines.append(paragraphs.pop(0))  # ... or its meta line (which states the date)
    result.published = parse_date(override_date) or _stated_date(sel, meta, roots, url, meta_lines, paragraphs, main)
    result.paragraphs, result.images = paragraphs, blocks.images
    result.attachments = dedupe_attachments(attachment_links(blocks.links, base) + _files_beside(roots, base, main))
    result.links = blocks.links
    return result


def _headline_atop(paragraphs: list[str]) -> str | None:
    """The body's first line when it reads as a headline (short, no closing mark) and a meta line
    with a date follows it: an old page's one table cell that holds headline, date line and text."""
    if len(paragraphs) < 3:
        return None
    first = paragraphs[0].strip()
    if not (HEADLINE_MIN_CHARS <= len(first) <= HEADLINE_MAX_CHARS) or first.endswith(("。", "：", ":", "；", "，")):
        return None
    if META_LINE_RE.search(first) or parse_date(first):
        return None
    return first if any(_is_meta_line(line) for line in paragraphs[1:3]) else None


def _is_meta_line(line: str) -> bool:
    """A short line of the article's meta (date, source, author) that states a date."""
    return len(line) <= 80 and bool(META_LINE_RE.search(line)) and parse_date(line) is not None


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
