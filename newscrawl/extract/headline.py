"""The headline of a page of no known template: the heading before the body that the page names.

Candidates are headings (h1–h6), boxes whose class says title (tit, biaoti, bt, headline, heading)
and bold lines in table cells — before the body in page order, outside page furniture. A candidate's
text stops where a meta line starts ('发布时间：…', or a date set apart, in the same box); a credit line (供稿, 编辑, 来源…)
is never a headline; a heading that is empty lends the role to the text beside it. A person's name
of two or three characters is a headline when it is a heading or the page's <title> names it.
Picked, in order: the candidate the <title> or og:title names; og:title; the heading nearest the
body; the short line right before the body; the <title> without the site's name.
"""

from __future__ import annotations

import re

from newscrawl.extract.common import CJK_RE, squeeze, strip_site_suffix, text_of
from newscrawl.extract.maintext import MainText
from newscrawl.extract.rules import TITLE_META

HEADLINE_XPATH = (
    "//h1 | //h2 | //h3 | //h4 | //h5 | //h6"
    " | //*[contains(@class, 'tit') or contains(@class, 'Tit') or contains(@class, 'TIT') or contains(@class, 'biaoti')"
    " or contains(@class, 'headline') or contains(@class, 'heading') or contains(@id, 'title') or contains(@id, 'Title')"
    " or @class = 'bt' or starts-with(@class, 'bt ') or contains(@class, '_bt') or contains(@class, '-bt')"
    " or contains(@class, 'wzbt') or contains(@class, 'xwbt')]"
    "[not(self::html or self::body or self::a or self::title or self::meta or self::head)]"
    " | //td//b | //td//strong")
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Where a meta line starts inside a headline's box ('标题 发布时间：2024-01-01 浏览次数：12').
META_LABEL_RE = re.compile(r"(?:发布|发表|更新|创建)?(?:时间|日期)\s*[:：]|来源\s*[:：]|作者\s*[:：]|浏览|点击|阅读(?:次数|量)|"
                           r"供稿|编辑\s*[:：]|审核|摄影|责编|撰稿|文字\s*[:：]|图片\s*[:：]|字号|【打印|打印本页")
CREDIT_RE = re.compile(r"^(?:供稿|编辑|作者|来源|审核|审稿|摄影|责编|责任编辑|撰稿|文字|图片|发布(?:者|人|单位)?|时间|日期)\s*[:：]")
# A date set apart after the headline in the same box ('标题<br><span>2019-04-26 16:30 来源：…</span>').
TRAILING_DATE_RE = re.compile(r"\s[\[【(（]?(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
                              r"(?=\s|[\]】)）]|$)")
DATE_ONLY_RE = re.compile(r"^[\s\d/:.年月日时分\-－—]+$")
MIN_CHARS, NAME_CHARS, MAX_CHARS = 4, 2, 120
COLUMN_NAME_CHARS = 6  # a whole <title> this short may be a column's name


def headline_text(el) -> str:
    """el's text up to the meta line that may share its box."""
    text = text_of(el)
    match = META_LABEL_RE.search(text)
    date = TRAILING_DATE_RE.search(text)
    if date and date.start() >= NAME_CHARS and (match is None or date.start() < match.start()):
        match = date
    if match and match.start() >= NAME_CHARS:
        text = text[: match.start()].strip(" |｜-—:：")
    elif match:
        return ""
    return text


def _plausible(el, text: str, named: bool) -> bool:
    if not text or len(text) > MAX_CHARS or CREDIT_RE.match(text) or DATE_ONLY_RE.match(text):
        return False
    if not CJK_RE.search(text) and len(text) < 10:
        return False
    if len(text) < MIN_CHARS:
        # a person's name (a profile's headline): a heading, or what the page's <title> names
        return len(text) >= NAME_CHARS and (el.tag in HEADING_TAGS or named)
    return True


def find_headline(sel, meta: dict, page_title: str | None, main: MainText | None) -> tuple[str | None, str]:
    """(headline, how it was found) for a page whose body main found (or None)."""
    page_flat = squeeze(page_title)
    named_by = [t for t in (page_flat, squeeze(meta.get("og:title")), squeeze(meta.get("twitter:title"))) if t]
    head_part = squeeze(strip_site_suffix(page_title))
    position = main.stats.position if main is not None else {}
    body_start = main.body_start() if main is not None else None
    before: list[tuple[object, str]] = []
    named: list[str] = []
    for el in sel.root.xpath(HEADLINE_XPATH):
        if main is not None:
            if el not in position or main.is_furniture(el):
                continue  # hidden, or in page furniture (a sidebar's box heading)
            if body_start is not None and position[el] >= body_start and el.tag not in HEADING_TAGS:
                continue  # headings in or after the body are the body's or another story's
        elif el.xpath("ancestor-or-self::*[self::nav or self::header or self::footer]"):
            continue
        if el.xpath("ancestor::a"):
            continue
        text = headline_text(el)
        if not text and el.tag in HEADING_TAGS and not squeeze(text_of(el)):
            # an empty heading: the headline is the bare text beside it
            parent = el.getparent()
            text = headline_text(parent) if parent is not None and len(squeeze(text_of(parent))) <= MAX_CHARS else ""
        flat = squeeze(text)
        is_named = bool(flat) and any(flat in t for t in named_by)
        if body_start is not None and position.get(el, -1) >= body_start \
                and not (is_named and _opens_body(el, main)):
            continue  # ... except a heading that opens the body and that the <title> names
        if not _plausible(el, text, is_named):
            continue
        if el.tag in ("b", "strong") and squeeze(text_of(el.getparent())) != flat:
            continue  # bold words inside a paragraph, not a headline
        if is_named:
            named.append(text)
        before.append((el, text))
    if named:
        # the <title> is '标题-站点名': a candidate equal to its head part is the headline, not the
        # site's name in the logo
        exact = [t for t in named if squeeze(t) == head_part]
        pick = exact[0] if exact else max(named, key=len)
        if len(squeeze(pick)) <= COLUMN_NAME_CHARS and squeeze(pick) == page_flat:
            # a <title> that is only a column's name ('通知公告') names that column's box heading:
            # a longer line right above the body is the story's own headline
            line = _line_before_body(main)
            if line and len(squeeze(line)) >= 2 * len(squeeze(pick)) and squeeze(line) != squeeze(pick):
                return line, "the line before the body (the <title> names the column)"
        return pick, "named by <title>"
    named_line = _line_before_body(main, named_by)
    if named_line:
        return named_line, "the line before the body that <title> names"
    for key in TITLE_META:
        if meta.get(key):
            return meta[key], f"meta {key}"
    if before and main is not None:
        # the heading nearest the body, or the higher heading above it in the same box (a
        # subtitle '——记……' sits between the headline and the body)
        el, text = before[-1]
        for other, other_text in reversed(before[:-1]):
            if other.getparent() is not el.getparent():
                break
            if _rank(other) < _rank(el):
                el, text = other, other_text
        return text, "the heading before the body"
    line = _line_before_body(main)
    if line:
        return line, "the line before the body"
    if before:
        return before[0][1], "the first heading"
    title = strip_site_suffix(page_title)
    return (title or None), "<title>"


def _opens_body(el, main: MainText) -> bool:
    """el is a heading at the very top of the body, no text before it (a profile's <h2>谷大武</h2>
    first in the box that holds the whole profile)."""
    root = main.roots[0]
    if el.tag not in HEADING_TAGS or (root is not el and root not in el.iterancestors()):
        return False
    stats = main.stats
    here = stats.position[el]
    ancestors = set(el.iterancestors())
    for block in main.blocks_from_body():
        if not stats.own[block][0]:
            continue  # no text of its own
        if stats.position[block] >= here:
            return True
        if block not in ancestors:
            return False
    return True


def _rank(el) -> int:
    """How high a heading ranks: h1 first, then h2…h6; other title-like elements after them."""
    return int(el.tag[1]) if el.tag in HEADING_TAGS else 7


def _line_before_body(main: MainText | None, named_by: list[str] | None = None) -> str | None:
    """The nearest short line above the body that is not a meta line, a link or furniture: a
    headline in a box no one named (an empty <title> over <div class="nrbt">…). With named_by,
    only a line those titles name (a profile's <div class="name">陈海波</div>)."""
    if main is None:
        return None
    stats = main.stats
    for el in main.blocks_above(12):
        chars, _marks = stats.own[el]
        if not chars or stats.density(el) > 0.5 or main.is_furniture(el):
            continue
        if any(r in el.iterancestors() for r in main.roots):
            continue
        text = headline_text(el)
        named = named_by is not None and bool(text) and any(squeeze(text) in t for t in named_by)
        if named_by is not None and not named:
            continue
        if _plausible(el, text, named) and len(text) <= 80 and not text.endswith(("。", "：", ":")):
            return text
        if chars > MAX_CHARS:
            return None  # a paragraph of prose stands between: no headline right above the body
    return None
