"""Re-checks of archived articles: when (NEWSCRAWL_RECHECK's schedule), and whether the site withdrew one."""

from __future__ import annotations

import re

from parsel import Selector

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
STAGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw]?)$")
GONE_STATUSES = {404: "HTTP 404", 410: "HTTP 410"}
# What CMSs serve, with HTTP 200, in place of an article taken down (WebPlus: 该信息已删除). Not the
# maintenance or error pages of a site that is down for a while: those are failures, tried again.
WITHDRAWN_MARKERS = ("该信息已删除", "信息已被删除", "该文章已删除", "文章已被删除", "该内容已被删除", "内容已删除",
                     "该信息不存在", "信息不存在或已删除", "文章不存在", "页面不存在")
# a notice page is short; an article that merely mentions such words is not one
NOTICE_MAX_CHARS = 1500


def parse_schedule(text: str) -> list[float]:
    """'1d,7d,30d' -> ages in seconds, ascending (units s, m, h, d, w; a bare number is seconds; '' = none)."""
    stages = []
    for part in (text or "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        match = STAGE_RE.match(part)
        if not match:
            raise ValueError(f"{part!r} is not an age such as 1d, 12h or 30d")
        stages.append(float(match.group(1)) * UNITS[match.group(2) or "s"])
    return sorted(set(stages))


def withdrawn_notice(status: int, html: str) -> str | None:
    """Why an archived article's URL no longer holds it (404/410, or a 'deleted' notice page), else None.

    Kept small on purpose: a classifier of error pages can take its place.
    """
    if status in GONE_STATUSES:
        return GONE_STATUSES[status]
    if not html or not any(marker in html for marker in WITHDRAWN_MARKERS):
        return None
    page = Selector(text=html)
    title = " ".join(page.xpath("//title//text()").getall())
    text = " ".join(" ".join(page.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()).split())
    for marker in WITHDRAWN_MARKERS:
        if marker in title or (marker in text and len(text) <= NOTICE_MAX_CHARS):
            return f"notice page: {marker}"
    return None
