"""Date parsing: every date form the sites use, normalized to an aware datetime in China time."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from dateutil import parser as date_parser

CHINA_TZ = timezone(timedelta(hours=8), name="UTC+08:00")
# A publication date this far ahead of the clock is an event's date, a typo or a placeholder.
FUTURE_TOLERANCE = timedelta(days=1)

_ABSOLUTE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}(?!\d))?)?"
)
_RELATIVE_RE = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前")
_DAY_WORD_RE = re.compile(r"(?P<word>刚刚|今天|昨天|前天)\s*(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2}))?")
# Relative words are a date only in a short, date-like text ('昨天 10:00', '发布时间：今天'), never
# inside running text ('今天，学校召开了……').
_RELATIVE_MAX_LEN = 24
_DATE_LABEL_BEFORE_RE = re.compile(r"(?:时间|日期|发布|发表|更新|于)\s*[:：]?\s*$")
# Article URLs that carry their day: WebPlus and DedeCMS /2026/0326/, TRS /202305/t20230518_1.html,
# others /2024-05/15/, Hanweb /art/2021/6/18/art_1229_1.html, Xinhua /20240509/<id>/c.html,
# /2024-05-09/, /202405/09/, /2023/05-06/.
_Y, _M, _D = r"(?P<y{0}>(?:19|20)\d{{2}})", r"(?P<m{0}>0?[1-9]|1[0-2])", r"(?P<d{0}>0?[1-9]|[12]\d|3[01])"
_MM, _DD = r"(?P<m{0}>0[1-9]|1[0-2])", r"(?P<d{0}>0[1-9]|[12]\d|3[01])"
_URL_DATE_FORMS = (
    "/{Y}/{MM}{DD}/",          # /2026/0326/
    "/t{Y}{MM}{DD}_\\d+",      # /t20230518_123.html
    "/{Y}-{MM}/{DD}/",         # /2024-05/15/
    "/{Y}/{M}/{D}/",           # /art/2021/6/18/
    "/{Y}{MM}{DD}/",           # /20240509/
    "/{Y}-{MM}-{DD}/",         # /2024-05-09/
    "/{Y}{MM}/{DD}/",          # /202405/09/
    "/{Y}/{MM}-{DD}/",         # /gn/2023/05-06/10001234.shtml
)
_URL_DATE_RE = re.compile("|".join(
    f.format(Y=_Y.format(i), M=_M.format(i), D=_D.format(i), MM=_MM.format(i), DD=_DD.format(i))
    for i, f in enumerate(_URL_DATE_FORMS)))
# Dates written in Chinese numerals, as a notice's signature line writes them: 二〇一五年三月二日.
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "О": "0"}
_CN_DATE_RE = re.compile(r"(?P<y>[〇零○ＯО一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
                         r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")


def _cn_number(text: str) -> str:
    """'十二' -> '12', '二十一' -> '21', '三' -> '3' (month and day numbers)."""
    if "十" not in text:
        return "".join(_CN_DIGITS.get(c, c) for c in text)
    tens, _, ones = text.partition("十")
    return str(int(_CN_DIGITS.get(tens, "1") if tens else 1) * 10 + int(_CN_DIGITS.get(ones, "0") if ones else 0))


def _cn_date_to_digits(text: str) -> str:
    return _CN_DATE_RE.sub(lambda m: "{}年{}月{}日".format("".join(_CN_DIGITS[c] for c in m["y"]),
                                                        _cn_number(m["m"]), _cn_number(m["d"])), text)


def _build(y, m, d, hh=None, mm=None, ss=None, tz=None) -> datetime | None:
    """The datetime these parts name, or None; an impossible time keeps its (valid) day."""
    try:
        day = datetime(int(y), int(m), int(d))
    except ValueError:
        return None
    try:
        value = day.replace(hour=int(hh or 0), minute=int(mm or 0), second=int(ss or 0))
    except ValueError:
        return day.replace(tzinfo=CHINA_TZ)
    if tz:
        # an explicit offset ('Z', '-05:00'): the same instant, told in China time
        offset = date_parser.isoparse("2000-01-01T00:00:00" + tz).tzinfo
        return value.replace(tzinfo=offset).astimezone(CHINA_TZ)
    return value.replace(tzinfo=CHINA_TZ)


def plausible_published(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """value, unless it lies more than a day in the future (then it is not a publication date)."""
    if value is None:
        return None
    now = now or datetime.now(CHINA_TZ)
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    return None if value > now + FUTURE_TOLERANCE else value


def _date_like_context(text: str, match: re.Match) -> bool:
    return (len(text.strip()) <= _RELATIVE_MAX_LEN
            or bool(_DATE_LABEL_BEFORE_RE.search(text[max(0, match.start() - 8): match.start()])))


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """The first plausible date in text ('发布时间：2026-03-26', '2018年10月23日 9:05', '3小时前', ...).

    Absolute dates are read as China time unless they carry an offset; an invalid date or one more
    than a day ahead of now is skipped for the next one. Relative ones count back from now, and only
    in a short date-like text.
    """
    if not text:
        return None
    # full-width digits and dashes (２０２３年５月６日, 2023－05－06: a Word-written notice) read as ASCII
    text = unicodedata.normalize("NFKC", str(text)).replace("\u00a0", " ").replace("\u3000", " ")
    if "年" in text and _CN_DATE_RE.search(text):
        text = _cn_date_to_digits(text)
    now = (now or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ)
    for match in _ABSOLUTE_RE.finditer(text):
        value = plausible_published(
            _build(match["y"], match["m"], match["d"], match["H"], match["M"], match["S"], match["tz"]), now)
        if value is not None:
            return value
    match = _RELATIVE_RE.search(text)
    if match and _date_like_context(text, match):
        n = int(match["n"])
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}[match["unit"]]
        return (now - timedelta(**{unit: n})).replace(microsecond=0)
    match = _DAY_WORD_RE.search(text)
    if match and _date_like_context(text, match):
        if match["word"] == "刚刚":
            return now.replace(microsecond=0)
        day = now - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[match["word"]])
        return _build(day.year, day.month, day.day, match["H"], match["M"])
    return None


def date_from_url(url: str) -> datetime | None:
    """The day an article URL carries (/2026/0326/c13475a290690/page.htm), or None."""
    for match in _URL_DATE_RE.finditer(url or ""):
        parts = {k[0]: v for k, v in match.groupdict().items() if v}
        found = plausible_published(_build(parts["y"], parts["m"], parts["d"]))
        if found is not None:
            return found
    return None


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
