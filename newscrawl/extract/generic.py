"""Extraction for pages of no known CMS: the headline, the densest text container, the stated date."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import date_from_url, parse_date
from newscrawl.extract.blocks import BLOCK_TAGS, SKIP_TAGS, html_blocks
from newscrawl.extract.common import (
    CJK_RE, attachment_links, dedupe_attachments, first_text, meta_map, page_title, select, strip_site_suffix, text_of,
)
from newscrawl.extract.result import Extracted
from newscrawl.extract.rules import DATE_LABELS, DATE_META, TITLE_META, candidates

CONTAINER_TAGS = frozenset({"article", "main", "div", "section", "td", "font", "center"})
# Where a headline is: headings, and elements whose class says title (not the site's logo or nav).
HEADLINE_XPATH = ("//h1 | //h2 | //h3 | //h4 | //*[contains(@class, 'tit') or contains(@class, 'Tit') or "
                  "contains(@class, 'biaoti') or contains(@class, 'headline') or contains(@class, 'heading')]"
                  "[not(self::html or self::body or self::a)] | //td//b | //td//strong")
NOT_CONTENT_XPATH = "ancestor-or-self::*[self::nav or self::header or self::footer or self::a]"
SENTENCE_MARK_RE = re.compile(r"[，。；！？、]")
SENTENCE_BONUS = 10
# Boxes that hold page furniture, by their class or id.
# (whole class/id tokens that START with one of these words: 'side-box', 'footer_nav', 'logo1';
# not 'article-header', which holds the headline)
CHROME_BOX_RE = re.compile(
    r"^(?:foot|footer|copyright|bottom|nav|navi|menu|header|side|sidebar|breadcrumb|crumbs?|share|"
    r"related|comment|friend|banner|logo)(?:$|[_-]|\d)", re.I)
# A leading paragraph that is the article's meta line (date, source, author), not its text.
META_LINE_RE = re.compile(r"^[\s\d/:.年月日时分-]+$|(?:来源|作者|发布|时间|日期|编辑|浏览|点击)\s*[:：]")
# A container that owes most of its text to one child container is that child's wrapper.
WRAPPER_SHARE = 0.7
DATE_LABEL_RE = re.compile("(?:" + "|".join(DATE_LABELS) + r")\s*[:：]\s*(?P<date>[^\n|]{6,30})")


def _own_text_len(el) -> int:
    """Weight of the text el shows itself (its inline content, links excluded), not its child blocks':
    its length, plus a bonus per sentence mark, since prose has them and chrome rarely does."""
    pieces = [(el.text or "").strip()]
    stack = list(el)
    while stack:
        child = stack.pop()
        pieces.append((child.tail or "").strip())
        if not isinstance(child.tag, str) or child.tag in BLOCK_TAGS or child.tag in SKIP_TAGS or child.tag == "a":
            continue
        pieces.append((child.text or "").strip())
        stack.extend(child)
    text = "".join(pieces)
    return len(text) + SENTENCE_BONUS * len(SENTENCE_MARK_RE.findall(text))


def _is_chrome_box(el) -> bool:
    """Inside a box whose class or id says page furniture (footer, menu, sidebar, ...)."""
    for node in (el, *el.iterancestors()):
        names = f"{node.get('class') or ''} {node.get('id') or ''}".split()
        if any(CHROME_BOX_RE.match(name) for name in names):
            return True
    return False


def _densest(sel: Selector):
    """The container whose paragraphs (child blocks, or its own lines) hold the most text."""
    scores: dict = {}
    for el in sel.root.iter():
        if not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS or el.tag in ("table", "tbody", "tr", "ul", "ol"):
            continue
        own = _own_text_len(el)
        if own == 0 or el.xpath(NOT_CONTENT_XPATH) or _is_chrome_box(el):
            continue
        if el.tag in CONTAINER_TAGS:
            scores[el] = scores.get(el, 0) + own
        parent = el.getparent()
        if parent is not None and parent.tag in CONTAINER_TAGS:
            scores[parent] = scores.get(parent, 0) + own
    if not scores:
        return None
    best = max(scores, key=scores.get)
    # descend from a wrapper (title + meta line + body) into the body container it holds
    while True:
        children = [c for c in best if c in scores]
        top = max(children, key=scores.get, default=None)
        if top is None or scores[top] < WRAPPER_SHARE * scores[best]:
            break
        if any(SENTENCE_MARK_RE.search(text_of(c)) for c in best if c is not top and isinstance(c.tag, str)):
            break  # the other children hold prose too: they are paragraphs of the same body
        best = top
    return Selector(root=best) if scores[best] else None


def _rank(el) -> int:
    """How high a heading ranks: h1 first, then h2…h4; other title-like elements after them."""
    return int(el.tag[1]) if re.fullmatch(r"h[1-6]", el.tag or "") else 5


def _headline(sel: Selector, meta: dict, body) -> str | None:
    """The article's headline: the heading that the page's <title> names, else the last one before
    the body; the <title> itself (minus the site's name) only when neither exists."""
    page = page_title(sel) or ""
    flat_page = re.sub(r"\s+", "", page)
    body_root = body.root if body is not None else None
    before, named = [], []
    for el in sel.root.xpath(HEADLINE_XPATH):
        if el.xpath(NOT_CONTENT_XPATH) or _is_chrome_box(el):
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


def _stated_date(sel: Selector, meta: dict, body, url: str):
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
    if body is not None:
        # the meta line sits next to the body: look outward from it, outside the body's own text
        node, body_root = body.root, body.root
        for _ in range(4):
            node = node.getparent()
            if node is None:
                break
            around = "\n".join(t for t in _texts_outside(node, body_root))
            label = DATE_LABEL_RE.search(around)
            found = (parse_date(label["date"]) if label else None) or parse_date(around)
            if found:
                return found
    return date_from_url(url)


def _texts_outside(scope, skip):
    for el in scope.iter():
        if el is skip or skip in el.iterancestors():
            if el is skip and el.tail:
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


def extract(sel: Selector, url: str, selectors: dict | None = None, base: str | None = None) -> Extracted:
    selectors = selectors or {}
    base = base or url
    result = Extracted(cms="generic")
    result.notes.append("no known CMS: generic main-text extraction")
    meta = meta_map(sel)
    body = None
    for css in candidates("generic", "body", selectors):
        found = select(sel, css)
        if found:
            body = Selector(root=found[0])
            break
    body = body if body is not None else _densest(sel)
    override_title = first_text(sel, selectors["title"], title=True) if selectors.get("title") else None
    result.title = override_title or meta.get("articletitle") or _headline(sel, meta, body)
    override_date = first_text(sel, selectors["date"]) if selectors.get("date") else None
    result.published = parse_date(override_date) or _stated_date(sel, meta, body, url)
    if body is None:
        result.body_found = False
        return result
    blocks = html_blocks(body.root, base)
    paragraphs = blocks.paragraphs
    if result.title and paragraphs and re.sub(r"\s+", "", paragraphs[0]) == re.sub(r"\s+", "", result.title):
        paragraphs = paragraphs[1:]  # the body container repeats the headline
    while paragraphs and len(paragraphs[0]) <= 80 and META_LINE_RE.search(paragraphs[0]) and parse_date(paragraphs[0]):
        paragraphs = paragraphs[1:]  # ... or its meta line
    result.paragraphs, result.images = paragraphs, blocks.images
    result.attachments = dedupe_attachments(attachment_links(blocks.links, base) + _files_beside(body.root, base))
    result.links = blocks.links
    return result


def _files_beside(body_root, base: str) -> list[dict]:
    """File links next to the body (a notice's 附件 block below its text), not in page furniture."""
    scope = body_root.getparent()
    if scope is None:
        return []
    links = []
    for a in scope.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or body_root in a.iterancestors() or _is_chrome_box(a):
            continue
        links.append((urljoin(base, href), text_of(a)))
    return attachment_links(links, base, extra_patterns=("download.jsp", "downfile"))
