"""Tells which CMS built a page, and whether the page is an anti-bot wall instead of content."""

from __future__ import annotations

import re

from newscrawl.urls import is_wechat_url

WEBPLUS_MARKERS = ("sudy-wp-context", "sudy-wp-siteid", "/_upload/tpl/", "/_js/_portletplugs/",
                   "portletmode=", "wp_articlecontent", "webplus-page", "<!--start||content-->")
VSB_MARKERS = ("visual sitebuilder", "/system/resource/js/", "_sitegray/_sitegray", ".vsb.css",
               "_showdynclicks(", "_newscontent_fromname", "v_news_content", "vsb_content")
# 瑞数 (Rivers Security) answers crawlers with an obfuscated script page instead of the content.
ANTIBOT_RE = re.compile(r"\$_ts\s*=\s*window\[\s*['\"]\$_ts['\"]\s*\]|<meta[^>]+\br=['\"]m['\"]|<script[^>]+\br=['\"]m['\"]", re.I)
# A wall shows (next to) nothing: a page with this much visible text carries the content, whatever
# scripts it also carries (瑞数's probe rides along on full articles too).
WALL_MAX_TEXT = 200
INVISIBLE_RE = re.compile(r"<(script|style|noscript|template|textarea)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
LOGIN_RE = re.compile(r"<input[^>]+type=['\"]?password|统一身份认证|cas/login|authserver/login", re.I)


def detect_cms(html: str, url: str = "") -> str:
    """'thepaper', 'wechat', 'webplus', 'vsb' or 'generic', from markers in the first part of the page."""
    if is_wechat_url(url):
        return "wechat"
    head = html[:200_000].lower()
    if "thepaper.cn" in url and ("__next_data__" in head or "news_txt" in head):
        return "thepaper"
    webplus = sum(marker in head for marker in WEBPLUS_MARKERS)
    vsb = sum(marker in head for marker in VSB_MARKERS)
    if webplus == 0 and vsb == 0:
        return "generic"
    return "webplus" if webplus >= vsb else "vsb"


def is_antibot_page(status: int, body: bytes) -> bool:
    """A 瑞数 wall: HTTP 412, or a 200 page of its obfuscated script WITHOUT the content.

    The probe script also rides along on pages that hold the whole article: those are articles.
    """
    if status == 412:
        return True
    head = body[:20_000].decode("utf-8", "replace")
    if not ANTIBOT_RE.search(head):
        return False
    return visible_text_length(body) < WALL_MAX_TEXT


def visible_text_length(body: bytes, limit: int = 2_000_000) -> int:
    """Characters a reader would see on the page (markup, scripts, styles and comments left out)."""
    text = INVISIBLE_RE.sub(" ", body[:limit].decode("utf-8", "replace"))
    return len("".join(text.split()))


def is_login_page(html: str) -> bool:
    """A single-sign-on page served in place of an article."""
    return bool(LOGIN_RE.search(html[:50_000]))
