"""Text cleaning: paragraph edges, control characters, site chrome and WeChat-mirror tails."""

from __future__ import annotations

import re
import unicodedata

# Characters stripped from paragraph edges: ASCII/NBSP/full-width spaces and zero-width marks.
EDGE_CHARS = " \t\r\n\f\v\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"
# C0/C1 control characters (tab and newline are handled as whitespace before this runs).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INNER_WHITESPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")

# Paragraphs that are page furniture, never article text (matched on the whole paragraph).
CHROME_RE = re.compile(
    r"^(?:"
    r"上一(?:篇|条|页)[:：]?.*|下一(?:篇|条|页)[:：]?.*|"
    r"【?(?:打印|关闭)(?:本页|窗口|此页)?】?(?:\s*【?(?:打印|关闭)(?:本页|窗口|此页)?】?)*|"
    r"分享到[:：]?.*|分享[:：]?|"
    r"(?:字号|字体)[:：]?\s*(?:大|中|小|\s|【|】|\[|\])*|"
    r"(?:浏览|阅读|点击)(?:次数|量)?[:：]\s*\d*\s*次?|"
    r"返回列表|返回顶部|扫一扫.*|\+1|收藏|我要举报|"
    r".*ICP备\d+号.*|.*公网安备\d+号.*|©.*|Copyright.*"
    r")$",
    re.I,
)

# A WeChat article mirrored by a 澎湃号 ends with the mirror's chrome; everything from the first
# marker on is not article text.
WECHAT_TAIL_MARKERS = ("继续滑动看下一个", "轻触阅读原文", "向上滑动看下一个")
READ_ORIGINAL = frozenset({"阅读原文", "阅读原文>", "阅读原文 >"})
ORIGINAL_TITLE_RE = re.compile(r"^原标题[:：]\s*《?(?P<title>.+?)》?\s*$")


def clean_paragraph(text: str) -> str:
    """NFC, no control characters, no blank or zero-width characters at the edges."""
    text = unicodedata.normalize("NFC", text or "")
    text = CONTROL_RE.sub("", text.replace("\t", " "))
    return text.strip(EDGE_CHARS)


def clean_title(text: str) -> str:
    """A one-line title: whitespace runs collapsed, no control characters, NFC."""
    text = unicodedata.normalize("NFC", text or "")
    text = CONTROL_RE.sub("", INNER_WHITESPACE_RE.sub(" ", text))
    return text.strip(EDGE_CHARS)


def is_chrome(paragraph: str) -> bool:
    return bool(CHROME_RE.match(paragraph))


def cut_wechat_tail(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Drop a WeChat mirror's tail (继续滑动看下一个 … 阅读原文); return the kept paragraphs and 原标题."""
    original_title = None
    kept: list[str] = []
    in_tail = False
    for para in paragraphs:
        match = ORIGINAL_TITLE_RE.match(para)
        if match:
            # 原标题 is metadata, not text; a news repost may carry it at the top, so only this
            # paragraph goes, not what follows it
            original_title = match.group("title").strip()
            continue
        if in_tail or para in READ_ORIGINAL:
            continue
        positions = [para.find(m) for m in WECHAT_TAIL_MARKERS if m in para]
        if positions:
            head = para[: min(positions)].strip(EDGE_CHARS)
            if head:
                kept.append(head)
            in_tail = True  # everything after the mirror's first marker is its chrome
            continue
        kept.append(para)
    return kept, original_title


def clean_paragraphs(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Clean each paragraph, drop empty and chrome ones, cut a WeChat tail."""
    cleaned = [clean_paragraph(p) for p in paragraphs]
    cleaned = [p for p in cleaned if p and not is_chrome(p)]
    return cut_wechat_tail(cleaned)
