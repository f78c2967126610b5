"""WeChat official-account posts (mp.weixin.qq.com): title, body with lazy images, time, account."""

from __future__ import annotations

import copy
import html as html_lib
import re
from datetime import datetime

from parsel import Selector

from newscrawl.dates import CHINA_TZ, parse_date
from newscrawl.extract.blocks import html_blocks
from newscrawl.extract.common import attachment_links, first_text, meta_map, select
from newscrawl.extract.result import Extracted

TITLE_CSS = "#activity-name, h1.rich_media_title, h2.rich_media_title, .rich_media_title"
BODY_CSS = ("#js_content", ".rich_media_content", "#js_image_desc", ".share_notice")
ACCOUNT_CSS = "#js_name, .rich_media_meta_nickname a, .profile_nickname, #js_profile_qrcode .profile_nickname"
AUTHOR_CSS = "#js_author_name, .rich_media_meta_text.rich_media_meta_author"
# Embedded cards and widgets inside #js_content that are not the post's text.
NOT_TEXT_CSS = ("mp-common-profile, mpprofile, mp-style-type, mp-miniprogram, mpvoice, mpvideosnap, "
                "qqmusic, .js_uneditable, .original_primary_card_tips, .rich_media_tool")

# Script variables the page is rendered from; ct / create_time are the publication time in epoch
# seconds (older pages wrote create_time as a date string).
_VALUE = r"""\s*[:=]\s*(?:JsDecode\(|htmlDecode\()?\s*(?P<q>['"])(?P<value>[^'"]*)(?P=q)"""
TIME_VAR_RES = tuple(re.compile(r"(?<![\w])" + name + _VALUE) for name in ("ct", "create_time", "createTime", "publish_time"))
ACCOUNT_VAR_RES = tuple(re.compile(r"(?<![\w.])" + name + _VALUE) for name in ("nickname", "nick_name", "profile_nickname"))

# What WeChat serves instead of a post. Only read when the page has no post body: a post may
# well quote these words.
VERIFY_RE = re.compile(r"环境异常|完成验证后即可继续访问|请在微信客户端打开|访问过于频繁|操作频繁|secitptpage/verify")
GONE_RE = re.compile(
    r"已被发布者删除|内容已删除|该内容已被删除|已被删除|因违规无法查看|违反.{0,20}无法查看|涉嫌违反.{0,30}(?:无法查看|发送失败)"
    r"|此内容因.{0,30}无法查看|该内容暂时无法查看|链接已过期|该公众号已迁移|此帐号已.{0,10}(?:注销|冻结)|已停止访问该网页|参数错误"
    # the same pages in WeChat's English interface
    r"|(?:has been|was) deleted by the (?:author|publisher)|deleted by the author|(?:content )?has been deleted|cannot be viewed|can't be viewed"
    r"|violat\w* (?:the )?(?:rules|regulations|terms)|link has expired|account has been (?:blocked|banned|deactivated)",
    re.I,
)
# What an image-share (item_show_type 8) or text-share (10) post keeps only in window.cgiDataNew.
SHOW_TYPE_RE = re.compile(r"""(?<![\w.])item_show_type\s*[:=]\s*(?:JsDecode\()?\s*['"]?(?P<type>\d+)""")
JS_STRING = r"""\s*:\s*(?:JsDecode\()?\s*'(?P<value>(?:[^'\\]|\\.)*)'"""
CONTENT_NOENCODE_RE = re.compile(r"(?<![\w.])content_noencode" + JS_STRING)
TEXT_PAGE_RE = re.compile(r"text_page_info\s*:\s*\{\s*content" + JS_STRING)
PICTURE_LIST_RE = re.compile(r"picture_page_info_list\s*:\s*\[")
CDN_URL_RE = re.compile(r"(?<![\w.])cdn_url" + JS_STRING)
IMAGE_SHARE, TEXT_SHARE = "8", "10"
JS_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)


def js_unescape(value: str) -> str:
    """A JavaScript string literal's text: \\x0a, \\u4e2d and \\' escapes, then the HTML entities
    WeChat leaves in it (\\x26quot; is &quot;)."""
    def one(match):
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(code, code)
    return html_lib.unescape(JS_ESCAPE_RE.sub(one, value))


def show_type(html: str) -> str | None:
    match = SHOW_TYPE_RE.search(html)
    return match["type"] if match else None


def _share_text(html: str, kind: str) -> str | None:
    """The text of an image-share post (content_noencode) or a text-share post (text_page_info)."""
    match = (CONTENT_NOENCODE_RE if kind == IMAGE_SHARE else TEXT_PAGE_RE).search(html)
    return js_unescape(match["value"]) if match and match["value"].strip() else None


def _share_pictures(html: str) -> list[str]:
    """The pictures of an image-share post: each entry's own cdn_url in picture_page_info_list (not
    the cover's, not a watermark's nested one)."""
    match = PICTURE_LIST_RE.search(html)
    if not match:
        return []
    urls, depth, i, quote = [], 0, match.end(), None
    entry_start = None
    while i < len(html):
        ch = html[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth == 1:
                entry_start = i
        elif ch in "]}":
            if depth == 0:
                break  # the list's own closing bracket
            if depth == 1 and entry_start is not None:
                # the entry's first cdn_url at its own level: nested objects come after it
                first = CDN_URL_RE.search(html, entry_start, i)
                if first:
                    urls.append(js_unescape(first["value"]))
                entry_start = None
            depth -= 1
        i += 1
    return [u for u in urls if u]


def page_status(html: str, sel: Selector | None = None) -> str:
    """'post' for a readable post, 'verify' for WeChat's verification wall, 'gone' for a deleted one."""
    sel = sel if sel is not None else Selector(text=html or "")
    for css in BODY_CSS[:2]:
        for el in select(sel, css):
            if "".join(el.itertext()).strip() or el.xpath(".//img"):
                return "post"
    if first_text(sel, "#js_image_content, .share_content_page, #js_image_desc"):
        return "post"  # picture posts (小绿书)
    text = " ".join(t.strip() for t in sel.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall())
    head = " ".join(sel.css("title::text").getall())
    if VERIFY_RE.search(text) or VERIFY_RE.search(head):
        return "verify"
    if GONE_RE.search(text) or GONE_RE.search(head):
        return "gone"
    return "post"


def _script_value(html: str, patterns) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(html):
            value = match["value"].strip()
            if value:
                return value
    return None


def _js_title(html: str) -> str | None:
    match = re.search(r"(?<![\w.])title" + JS_STRING, html)
    return js_unescape(match["value"]).strip() or None if match else None


def _time(html: str, sel: Selector) -> datetime | None:
    value = _script_value(html, TIME_VAR_RES)
    if value and value.isdigit() and len(value) >= 9:
        seconds = int(value[:10]) if len(value) >= 13 else int(value)  # epoch ms now and then
        return datetime.fromtimestamp(seconds, tz=CHINA_TZ)
    return parse_date(value) or parse_date(first_text(sel, "#publish_time, #post-date, .rich_media_meta_date"))


def _body_element(sel: Selector):
    for css in BODY_CSS:
        for el in select(sel, css):
            if "".join(el.itertext()).strip() or el.xpath(".//img"):
                # work on a copy: the widgets removed below stay in the caller's tree
                el = copy.deepcopy(el)
                for junk in select(el, NOT_TEXT_CSS):
                    if junk.getparent() is not None:
                        junk.drop_tree()
                return el
    return None


def extract(sel: Selector, url: str, selectors: dict | None = None) -> Extracted:
    selectors = selectors or {}
    result = Extracted(cms="wechat")
    html = sel.get()
    meta = meta_map(sel)
    result.title = (
        (first_text(sel, selectors["title"]) if selectors.get("title") else None)
        or first_text(sel, TITLE_CSS) or meta.get("og:title") or meta.get("twitter:title")
        or _js_title(html) or first_text(sel, "title")
    )
    result.published = _time(html, sel)
    result.department = first_text(sel, ACCOUNT_CSS) or _script_value(html, ACCOUNT_VAR_RES)
    author = first_text(sel, AUTHOR_CSS) or meta.get("author") or meta.get("og:article:author")
    if author and author != result.department:
        result.author = author
    status = page_status(html, sel)
    if status != "post":
        result.page_kind = "gone" if status == "gone" else "wall"
        result.notes.append(f"WeChat answered with its {status} page, not the post")
        return result
    kind = show_type(html)
    if kind in (IMAGE_SHARE, TEXT_SHARE):
        # picture and text posts keep their text (and pictures) in script data, not in the page
        text = _share_text(html, kind)
        if text:
            result.paragraphs = [line for line in (t.strip() for t in text.split("\n")) if line]
            result.images = _share_pictures(html) if kind == IMAGE_SHARE else []
            result.notes.append(f"WeChat {'image' if kind == IMAGE_SHARE else 'text'}-share post: text from its script data")
            return result
    body = _body_element(sel)
    if body is None:
        result.notes.append("no WeChat post body (#js_content) found")
        return result
    blocks = html_blocks(body, url)
    result.paragraphs, result.images = blocks.paragraphs, blocks.images
    result.attachments = attachment_links(blocks.links, url)
    result.links = blocks.links
    if not result.images:
        # picture posts keep their pictures in a swiper outside the text
        for img in select(sel, "#js_image_content img, .share_media_swiper img, .swiper_item img"):
            src = img.get("data-src") or img.get("src")
            if src and not src.startswith("data:") and src not in result.images:
                result.images.append(src)
    return result

