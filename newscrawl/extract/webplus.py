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

TITLE_CSS = "h1.arti_title, h1.arti-title, .arti_title, .arti-title, .article_title, .Article_Title"
DATE_CSS = ".arti_update, .arti-update, span.Article_PublishDate"
META_CSS = ".arti_metas, .arti-metas, .arti_meta, .arti-meta, .news_xx"  # news_xx: www.cumt.edu.cn
BODY_CSS = (".wp_articlecontent", ".read", ".Article_Content", ".article .entry")
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


def extract(sel: Selector, url: str, selectors: dict | None = None) -> Extracted:
    selectors = selectors or {}
    result = Extracted(cms="webplus")
    result.title = first_text(sel, selectors.get("title") or TITLE_CSS) or strip_site_suffix(page_title(sel))

    date_text = (first_text(sel, selectors["date"]) if selectors.get("date") else None) or first_text(sel, DATE_CSS)
    # one line per text piece: a label's value ends where its span ends ('作者：李明' '浏览次数：…')
    meta_line = next(("\n".join(t.strip() for t in el.itertext() if t.strip()) for el in select(sel, META_CSS)), "")
    result.published = parse_date(date_text) or parse_date(meta_line) or date_from_url(url)

    publisher = first_text(sel, ".arti_publisher, .arti-publisher")
    result.author = labelled(publisher or meta_line, "发布者", "作者")
    result.department = labelled(meta_line, "来源", "供稿单位", "发布单位")

    counter = sel.css("span.WP_VisitCount")
    if counter:
        text = "".join(counter[0].css("::text").getall()).strip()
        result.views = int(text) if text.isdigit() else None
        if counter[0].attrib.get("url"):
            result.views_url = urljoin(url, counter[0].attrib["url"])

    body_css = (selectors["body"],) if selectors.get("body") else BODY_CSS
    body_el, blocks = body_blocks(sel, body_css, url)
    if body_el is None:
        result.notes.append("no WebPlus body (.wp_articlecontent) found")
        return result
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    result.attachments = _attachments(body_el, blocks.links, url)
    return result
