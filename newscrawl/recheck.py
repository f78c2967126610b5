"""Re-checks of archived articles: when (NEWSCRAWL_RECHECK's schedule), and whether the site withdrew one."""

from __future__ import annotations

import re

from newscrawl.extract.errorpage import error_page, moved_home

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
STAGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw]?)$")
GONE_STATUSES = {404: "HTTP 404", 410: "HTTP 410"}
# What an error page served with HTTP 200 says (extract/errorpage.py) that means the article is gone
# (WebPlus: 该信息已删除). Maintenance and other notices are failures: tried again at the next turn.
WITHDRAWN_KINDS = frozenset({"not_found", "deleted", "moved_home"})


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


def withdrawn_notice(status: int, html: str, url: str = "", requested_url: str = "") -> str | None:
    """Why an archived article's URL no longer holds it (404/410, a 'deleted' or 'not found' page, a
    redirect to the home page), else None. The error-page classifier decides what a 200 page says."""
    if status in GONE_STATUSES:
        return GONE_STATUSES[status]
    notice = moved_home(url, requested_url) if url and requested_url else None
    if notice is None and status == 200:
        notice = error_page(html)
    if notice is None or notice.kind not in WITHDRAWN_KINDS:
        return None
    return f"{notice.kind}: {notice.message}"
