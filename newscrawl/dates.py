"""Date parsing: every date form the sites use, normalized to an aware datetime in China time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateutil import parser as date_parser

CHINA_TZ = timezone(timedelta(hours=8), name="UTC+08:00")

_ABSOLUTE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?)?)?"
)
_RELATIVE_RE = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前")
_DAY_WORD_RE = re.compile(r"(?P<word>刚刚|今天|昨天|前天)\s*(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2}))?")
_URL_DATE_RE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/")


def _build(y, m, d, hh=None, mm=None, ss=None) -> datetime | None:
    text = f"{int(y):04d}-{int(m):02d}-{int(d):02d} {int(hh or 0):02d}:{int(mm or 0):02d}:{int(ss or 0):02d}"
    try:
        return date_parser.isoparse(text.replace(" ", "T")).replace(tzinfo=CHINA_TZ)
    except ValueError:
        return None


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """The first date in text ('发布时间：2026-03-26', '2018年10月23日 9:05', '3小时前', ...), or None.

    Absolute dates are read as China time; relative ones count back from now (China time).
    """
    if not text:
        return None
    text = str(text).replace("\u00a0", " ").replace("\u3000", " ")
    match = _ABSOLUTE_RE.search(text)
    if match:
        return _build(match["y"], match["m"], match["d"], match["H"], match["M"], match["S"])
    now = (now or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ)
    match = _RELATIVE_RE.search(text)
    if match:
        n = int(match["n"])
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}[match["unit"]]
        return (now - timedelta(**{unit: n})).replace(microsecond=0)
    match = _DAY_WORD_RE.search(text)
    if match:
        if match["word"] == "刚刚":
            return now.replace(microsecond=0)
        day = now - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[match["word"]])
        return _build(day.year, day.month, day.day, match["H"], match["M"])
    return None


def date_from_url(url: str) -> datetime | None:
    """WebPlus article URLs carry their day: /2026/0326/c13475a290690/page.htm."""
    match = _URL_DATE_RE.search(url or "")
    return _build(match["y"], match["m"], match["d"]) if match else None


def from_epoch_ms(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=CHINA_TZ)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def to_china_time(value) -> datetime | None:
    """Coerce an extracted date (datetime or text) to an aware datetime in UTC+8."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=CHINA_TZ) if value.tzinfo is None else value.astimezone(CHINA_TZ)
    return parse_date(str(value))


def archive_date(value: datetime | str) -> str:
    """The archive's date: 'YYYY-MM-DD HH:MM:SS' in China time (from a datetime or ISO 8601 text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_china_time(value).strftime("%Y-%m-%d %H:%M:%S")
