"""thepaper.cn (澎湃) articles: read the Next.js __NEXT_DATA__ JSON, not the hashed DOM."""

from __future__ import annotations

import json
import re

from parsel import Selector

from newscrawl.dates import from_epoch_ms, parse_date
from newscrawl.extract.blocks import html_blocks, parse_fragment
from newscrawl.extract.common import first_text
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


def _from_legacy_dom(sel: Selector, url: str, result: Extracted) -> Extracted:
    """The 2020 template: h1.news_title, div.news_about, div.news_txt."""
    result.title = first_text(sel, "h1.news_title")
    about = " ".join(sel.css("div.news_about ::text").getall())
    result.published = parse_date(about)
    body = sel.css("div.news_txt")
    if body:
        blocks = html_blocks(body[0].root, url)
        result.paragraphs, result.images = blocks.paragraphs, blocks.images
    return result


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
