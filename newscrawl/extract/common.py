"""Helpers shared by the CMS extractors: titles, labelled fields, attachments, body blocks."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urljoin, urlsplit

from functools import lru_cache

from cssselect import HTMLTranslator
from lxml import etree
from parsel import Selector

from newscrawl.extract.blocks import Blocks, html_blocks

TITLE_SUFFIX_RE = re.compile(r"^(?P<head>.+?)\s*(?:[-_|｜]|\s-\s|\s–\s)\s*(?P<tail>[^-_|｜]+)$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
FILE_EXT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|txt|wps|et|csv)(?:$|[?&#])", re.I)
LABEL_VALUE = r"\s*[:：]\s*(?P<value>[^\s|｜/，,　]+(?:[ 　][^\s|｜/，,:：　]+)?)"


@lru_cache(maxsize=512)
def _compiled(css: str) -> etree.XPath:
    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def select(scope, css: str) -> list:
    """lxml elements matching css under scope (a Selector or an element); compiled once per selector."""
    root = scope.root if isinstance(scope, Selector) else scope
    return _compiled(css)(root)


def join_text(pieces) -> str:
    """Text pieces joined as a browser shows them: whitespace runs become one space, and pieces with
    no whitespace between them stay together ('中国<span>矿业</span>大学' is 中国矿业大学)."""
    return " ".join("".join(pieces).split())


def squeeze(text: str | None) -> str:
    """text with all its whitespace taken out: how texts are compared and their characters counted."""
    return "".join(text.split()) if text else ""


def text_of(el) -> str:
    """The visible text of an lxml element, one line (scripts and styles left out)."""
    return join_text(t for t in el.xpath(".//text()[not(ancestor::script)][not(ancestor::style)]"))


def first_text(sel, css: str | tuple[str, ...], title: bool = False) -> str | None:
    """Visible text of the first element matching css (one selector or candidates in order) that has any.

    A title reads as the browser shows it (inline tags glued); other text keeps its elements apart
    ('发布者：教务处</span><span>发布时间：…' must not run together for the label readers).
    """
    for one in ((css,) if isinstance(css, str) else css):
        for el in select(sel, one):
            text = text_of(el) if title else " ".join(t.strip() for t in el.itertext() if t.strip())
            if text:
                return text
    return None


def meta_map(sel: Selector) -> dict[str, str]:
    """Every <meta name|property|itemprop=... content=...> of the page, names lowercased (VSB writes
    META Name=...)."""
    found: dict[str, str] = {}
    for meta in sel.root.iter("meta"):
        attrs = {k.lower(): v for k, v in meta.attrib.items()}
        key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        value = (attrs.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found



def strip_site_suffix(title: str | None, site_name: str | None = None) -> str | None:
    """'标题-站点名' -> '标题': the page <title> often ends with the site's name."""
    if not title:
        return title
    title = title.strip()
    if site_name:
        for sep in ("-", "_", "|", " - ", "｜"):
            if title.endswith(sep + site_name) and len(title) > len(sep + site_name):
                return title[: -len(sep + site_name)].strip()
    match = TITLE_SUFFIX_RE.match(title)
    if match and CJK_RE.search(match["tail"]) and not match["tail"].strip()[:1].isdigit():
        return match["head"].strip()
    return title


def labelled(text: str, *labels: str) -> str | None:
    """The value after a label such as '编辑：' in a meta line of text."""
    for label in labels:
        match = re.search(re.escape(label) + LABEL_VALUE, text or "")
        if match:
            return match["value"].strip()
    return None


def body_blocks(sel: Selector, css_candidates: tuple[str, ...], base_url: str):
    """Blocks of the first candidate body element that holds any text or image.

    When candidates match but all are empty, the first of them is returned with no blocks: the
    page HAS its content container, and it is empty (an attachment-only notice, or nothing) —
    never a reason to take the page's chrome as the body.
    """
    empty = None
    for css in css_candidates:
        for el in select(sel, css):
            if empty is not None and el in empty[0].root.iterancestors():
                continue  # a wider candidate around the empty container holds only its chrome
            blocks = html_blocks(el, base_url)
            if blocks.paragraphs or blocks.images:
                return Selector(root=el), blocks
            if empty is None:
                empty = (Selector(root=el), blocks)
    return empty or (None, Blocks())


def file_name_from_url(url: str) -> str:
    return unquote(os.path.basename(urlsplit(url).path)) or url


def attachment_links(blocks_links, base_url: str, extra_patterns=()) -> list[dict]:
    """Links in the body that point at files (by extension or a CMS download path)."""
    out = []
    for href, text in blocks_links:
        if FILE_EXT_RE.search(href) or any(p in href for p in extra_patterns):
            out.append({"url": urljoin(base_url, href), "name": text or file_name_from_url(href)})
    return out


def dedupe_attachments(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        if item["url"] not in seen:
            seen.add(item["url"])
            out.append(item)
    return out


# What an editor writes into <title> when nobody names the page (Dreamweaver, FrontPage, Word).
PLACEHOLDER_TITLE_RE = re.compile(r"^(?:无标题文档|无标题页|新建网页\s*\d*|未命名\S*|untitled(?:\s+document)?|document|"
                                  r"new page\s*\d*|page\s*\d*)$", re.I)


def page_title(sel: Selector) -> str | None:
    """The page's <title>, or None when it is an editor's placeholder ('无标题文档', '新建网页 1')."""
    title = first_text(sel, "title")
    return None if title and PLACEHOLDER_TITLE_RE.match(title.strip()) else title
