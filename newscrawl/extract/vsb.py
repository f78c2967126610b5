"""VSB (博达 Visual SiteBuilder) article pages: meta tags first, then the visible markup."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import parse_date
from newscrawl.extract.common import (
    attachment_links, body_blocks, dedupe_attachments, first_text, labelled, meta_map,
    page_title, strip_site_suffix,
)
from newscrawl.extract.result import Extracted
from newscrawl.extract.rules import candidates

DATE_LABEL_RE = re.compile(r"(?:发布日期|发布时间|发表时间|更新时间|日期|时间)\s*[:：]\s*(?P<date>[^\n|]{6,30})")
DYNCLICKS_RE = re.compile(r"""_showDynClicks\(\s*["']wbnews["']\s*,\s*(?P<owner>\d+)\s*,\s*(?P<id>\d+)\s*\)""")
DOWNLOAD_CSS = "a[href*='download.jsp'], a[href*='DownloadAttachUrl']"


def views_url(html: str, url: str) -> str | None:
    """VSB serves the view count from dynclicks.jsp; the page only holds the call's arguments."""
    matches = list(DYNCLICKS_RE.finditer(html))
    if not matches:
        return None
    # a page may count other news too (hidden templates); the call for this URL's news id wins
    news_id = url.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
    match = next((m for m in matches if m["id"] == news_id), matches[0])
    return urljoin(url, "/system/resource/code/news/click/dynclicks.jsp"
                        f"?clickid={match['id']}&owner={match['owner']}&clicktype=wbnews")


def _meta_text(scope, body_el) -> str:
    """The article's visible text outside its body: where VSB templates print date, source, editor."""
    body_root = body_el.root if body_el is not None else None
    texts: list[str] = []
    stack = [(False, scope.root)]  # iterative: hostile pages nest deeper than the recursion limit
    while stack:
        leaving, el = stack.pop()
        if leaving:
            if el.tail and el.tail.strip() and el is not scope.root:
                texts.append(el.tail.strip())
            continue
        if el is body_root:
            if el.tail and el.tail.strip():
                texts.append(el.tail.strip())
            continue
        if isinstance(el.tag, str) and el.tag not in ("script", "style") and el.text and el.text.strip():
            texts.append(el.text.strip())
        stack.append((True, el))
        stack.extend((False, child) for child in reversed(el))
    return "\n".join(texts)


def extract(sel: Selector, url: str, selectors: dict | None = None, base: str | None = None) -> Extracted:
    base = base or url
    result = Extracted(cms="vsb")
    meta = meta_map(sel)
    site_name = meta.get("sitename")
    override_title = first_text(sel, selectors["title"], title=True) if (selectors or {}).get("title") else None
    result.title = (
        override_title or meta.get("articletitle")
        or first_text(sel, candidates("vsb", "title", None), title=True)
        or strip_site_suffix(page_title(sel), site_name)
    )

    body_el, blocks = body_blocks(sel, candidates("vsb", "body", selectors), base)
    form = sel.css("form[name=_newscontent_fromname]")
    meta_text = _meta_text(form[0] if form else sel, body_el) if body_el is not None or form else ""
    if form and not DATE_LABEL_RE.search(meta_text):
        # old table templates print the date in a cell outside the form
        meta_text += "\n" + _meta_text(sel, form[0])

    date_text = first_text(sel, candidates("vsb", "date", selectors))
    label = DATE_LABEL_RE.search(meta_text)
    result.published = (
        parse_date(date_text) or parse_date(meta.get("pubdate"))
        or (parse_date(label["date"]) if label else None) or parse_date(meta_text)
    )
    result.department = meta.get("contentsource") or labelled(meta_text, "稿件来源", "来源", "供稿单位", "发布单位")
    result.editor = labelled(meta_text, "编辑", "责任编辑")
    result.author = labelled(meta_text, "作者", "撰稿", "文字")
    result.views_url = views_url(sel.get(), url)

    scope = form[0] if form else sel
    downloads = [
        {"url": urljoin(base, a.attrib["href"]), "name": " ".join(a.css("::text").getall()).strip()}
        for a in scope.css(DOWNLOAD_CSS) if a.attrib.get("href")
    ]
    if body_el is None:
        result.body_found = False
        result.attachments = dedupe_attachments(downloads)
        result.notes.append("no VSB body (#vsb_content / .v_news_content / form) found")
        return result
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    if body_el.root.tag == "form":
        # the whole form is the body only on bare profile templates: keep uploaded pictures, not
        # the template's icons
        result.images = [i for i in result.images if "/__local/" in i or "virtual_attach_file" in i]
    if result.author is None:
        # VSB bodies often end with their byline ('作者：网信中心 董洋')
        result.author = labelled("\n".join(blocks.paragraphs[-3:]), "作者", "文字", "撰稿")
    result.attachments = dedupe_attachments(
        attachment_links(blocks.links, base, extra_patterns=("download.jsp",)) + downloads
    )
    result.links = blocks.links
    if not result.paragraphs:
        result.notes.append("VSB content container is empty" + (": attachments only" if result.attachments else ""))
    return result
