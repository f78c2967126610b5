"""WebPlus (博达站群) article pages: title, date, body, images, attachments, publisher, views."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import date_from_url, parse_date
from newscrawl.extract.common import (
    attachment_links, body_blocks, dedupe_attachments, file_name_from_url, first_text, labelled,
    page_title, select, strip_site_suffix,
)
from newscrawl.extract.result import Extracted
from newscrawl.extract.rules import candidates

SUDYFILE_TITLE_RE = re.compile(r"""['"]title['"]\s*:\s*['"](?P<title>[^'"]+)['"]""")


def _attachments(sel: Selector, body_links, base_url: str) -> list[dict]:
    found = []
    for a in sel.css("a[sudyfile-attr]"):
        href = a.attrib.get("href")
        if not href:
            continue
        match = SUDYFILE_TITLE_RE.search(a.attrib.get("sudyfile-attr", ""))
        name = match["title"] if match else " ".join(a.css("::text").getall()).strip()
        found.append({"url": urljoin(base_url, href), "name": name or file_name_from_url(href)})
    for div in sel.css("div.wp_pdf_player[pdfsrc]"):
        url = urljoin(base_url, div.attrib["pdfsrc"])
        match = SUDYFILE_TITLE_RE.search(div.attrib.get("sudyfile-attr", ""))
        found.append({"url": url, "name": match["title"] if match else file_name_from_url(url)})
    found += attachment_links(body_links, base_url, extra_patterns=("/_upload/article/files/",))
    return dedupe_attachments(found)


def extract(sel: Selector, url: str, selectors: dict | None = None, base: str | None = None) -> Extracted:
    base = base or url
    result = Extracted(cms="webplus")
    result.title = first_text(sel, candidates("webplus", "title", selectors), title=True) or strip_site_suffix(page_title(sel))

    date_text = first_text(sel, candidates("webplus", "date", selectors))
    # one line per text piece: a label's value ends where its span ends ('作者：李明' '浏览次数：…')
    meta_el = next((els[0] for css in candidates("webplus", "meta", selectors) if (els := select(sel, css))), None)
    meta_line = "\n".join(t.strip() for t in meta_el.itertext() if t.strip()) if meta_el is not None else ""
    result.published = parse_date(date_text) or parse_date(meta_line) or date_from_url(url)

    publisher = first_text(sel, candidates("webplus", "publisher", selectors))
    result.author = labelled(publisher or meta_line, "发布者", "作者")
    result.department = labelled(meta_line, "来源", "供稿单位", "发布单位")

    # span.WP_VisitCount holds a placeholder that JavaScript replaces from its url: never the count
    counter = sel.css("span.WP_VisitCount[url]")
    if counter:
        result.views_url = urljoin(base, counter[0].attrib["url"])

    body_el, blocks = body_blocks(sel, candidates("webplus", "body", selectors), base)
    if body_el is None:
        result.body_found = False
        result.notes.append("no WebPlus body (.wp_articlecontent) found")
        return result
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    result.attachments = _attachments(body_el, blocks.links, base)
    result.links = blocks.links
    if not result.paragraphs:
        result.notes.append("WebPlus content container is empty" + (": attachments only" if result.attachments else ""))
    return result
