"""thepaper.cn (澎湃) articles: read the Next.js __NEXT_DATA__ JSON, not the hashed DOM."""

from __future__ import annotations

import json
import re

from parsel import Selector

from newscrawl.dates import from_epoch_ms, parse_date
from newscrawl.extract.blocks import html_blocks, parse_fragment
from newscrawl.extract.common import first_text, select
from newscrawl.extract.result import Extracted

CONT_ID_RE = re.compile(r"(?:newsDetail_forward_|/detail/)(?P<id>\d+)")


def next_data(sel: Selector) -> dict | None:
    raw = sel.css("script#__NEXT_DATA__::text").get()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def content_detail(data: dict | None) -> dict | None:
    try:
        detail = data["props"]["pageProps"]["detailData"]["contentDetail"]
    except (KeyError, TypeError):
        return None
    return detail if isinstance(detail, dict) else None


def article_url(cont_id) -> str:
    return f"https://www.thepaper.cn/newsDetail_forward_{cont_id}"


# The pre-2022 templates (desktop and mobile): no __NEXT_DATA__, the article in plain markup.
LEGACY_TITLE_CSS = "h1.news_title, .news_title, h1.t_newsinfo, .newscontent h1, h1"
LEGACY_ABOUT_CSS = "div.news_about, .news_about, .about_news, .news_infor, .date"
LEGACY_BODY_CSS = ("div.news_txt", ".news_txt", "div.news_part_father .news_part", ".newsdetail_content", ".news_part")
ACCOUNT_LINK_RE = re.compile(r"/(?:user|gov|pph|media|list)_(?P<id>\d+)")


def _from_legacy_dom(sel: Selector, url: str, result: Extracted) -> Extracted:
    """The 2020 template: h1.news_title, div.news_about (author, time, source), div.news_txt."""
    result.title = first_text(sel, LEGACY_TITLE_CSS)
    about = select(sel, LEGACY_ABOUT_CSS)
    about_text = " ".join(" ".join(t.strip() for t in el.itertext() if t.strip()) for el in about)
    result.published = parse_date(about_text)
    if about:
        # the first line of the about box is the author (a 澎湃号's name), before the time line
        first = next((" ".join(t.strip() for t in p.itertext() if t.strip()) for p in select(about[0], "p")), "")
        if first and not parse_date(first):
            result.author = first.strip()
    source = re.search(r"来源[:：]\s*(?P<v>\S+)", about_text)
    result.department = source["v"] if source else None
    for css in LEGACY_BODY_CSS:
        for el in select(sel, css):
            blocks = html_blocks(el, url)
            if blocks.paragraphs or blocks.images:
                result.paragraphs, result.images = blocks.paragraphs, blocks.images
                return result
    result.notes.append("thepaper page without __NEXT_DATA__ and without a news_txt body")
    return result


def account_of(sel: Selector) -> tuple[str | None, str | None]:
    """(澎湃号 account id, account name) of an article page, as far as the page tells."""
    detail = content_detail(next_data(sel))
    if detail is not None:
        info = detail.get("authorInfo") or {}
        user_id = info.get("userId") or info.get("pphId")
        return (str(user_id) if user_id else None), (info.get("sname") or None)
    for href in sel.css(".news_about a::attr(href), .pph_info a::attr(href), a[href*='user_']::attr(href), "
                        "a[href*='gov_']::attr(href)").getall():
        match = ACCOUNT_LINK_RE.search(href)
        if match:
            name = first_text(sel, ".news_about p, .pph_info .name")
            return match["id"], (name if name and not parse_date(name) else None)
    return None, None


def extract(sel: Selector, url: str, selectors: dict | None = None) -> Extracted:
    result = Extracted(cms="thepaper")
    detail = content_detail(next_data(sel))
    if detail is None:
        return _from_legacy_dom(sel, url, result)
    result.title = detail.get("name")
    result.published = parse_date(detail.get("pubTime")) or from_epoch_ms(detail.get("publishTime"))
    author_info = detail.get("authorInfo") or {}
    result.author = detail.get("author") or author_info.get("sname")
    result.department = detail.get("source")
    blocks = html_blocks(parse_fragment(detail.get("content") or ""), url)
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    return result
