"""Dates the pages state: offsets, impossible times, invalid first dates, future dates, relative words."""

from datetime import datetime

import pytest

from newscrawl.dates import CHINA_TZ, parse_date
from newscrawl import dates

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=CHINA_TZ)


def fmt(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else None


@pytest.mark.parametrize("text, expected", [
    ("2024-01-05T02:00:00Z", "2024-01-05 10:00"),
    ("2024-01-05T02:00:00+00:00", "2024-01-05 10:00"),
    ("2024-01-05T02:00:00-05:00", "2024-01-05 15:00"),
    ("2024-01-05T02:00:00+0800", "2024-01-05 02:00"),
    ("2024-01-05T23:30:00.123Z", "2024-01-06 07:30"),
    ("2024-01-05T10:00:00", "2024-01-05 10:00"),  # no offset: China time, as before
])
def test_iso_times_with_an_offset_are_converted_to_china_time(text, expected):
    value = parse_date(text, now=NOW)
    assert fmt(value) == expected
    assert value.utcoffset().total_seconds() == 8 * 3600


def test_a_valid_day_with_an_impossible_time_keeps_the_day():
    assert fmt(parse_date("发布时间：2024-01-05 25:61", now=NOW)) == "2024-01-05 00:00"


def test_an_invalid_first_date_does_not_hide_a_valid_later_one():
    assert fmt(parse_date("2024-13-45 更新于 2024-02-03 08:00", now=NOW)) == "2024-02-03 08:00"
    assert fmt(parse_date("2023-02-30；发布时间：2023-03-01", now=NOW)) == "2023-03-01 00:00"


def test_a_date_more_than_a_day_ahead_is_not_the_publication_date():
    assert parse_date("发布时间：2031-05-01", now=NOW) is None
    # a later plausible date still counts
    assert fmt(parse_date("活动时间：2031-05-01 发布时间：2026-11-20", now=NOW)) == "2026-11-20 00:00"
    # within a day (a site whose clock runs ahead, a time zone) is fine
    assert fmt(parse_date("2026-11-23 10:00", now=NOW)) == "2026-11-23 10:00"


def test_plausible_published_rejects_future_datetimes():
    assert dates.plausible_published(datetime(2031, 1, 1, tzinfo=CHINA_TZ), now=NOW) is None
    assert dates.plausible_published(datetime(2026, 11, 22, 9, tzinfo=CHINA_TZ), now=NOW) is not None
    assert dates.plausible_published(None, now=NOW) is None


@pytest.mark.parametrize("text", [
    "今天，学校召开了全体教职工大会，会议由校长主持，全体师生参加。",
    "同学们表示，今天的讲座让人受益匪浅，希望以后多举办这样的活动。",
    "会上回顾了学院的发展历程，3天前刚刚结束的运动会也被提及，大家都说很精彩，值得纪念。",
])
def test_relative_words_inside_running_text_are_not_a_date(text):
    assert parse_date(text, now=NOW) is None


@pytest.mark.parametrize("text, expected", [
    ("今天 10:00", "2026-11-22 10:00"),
    ("发布时间：今天", "2026-11-22 00:00"),
    ("3天前", "2026-11-19 15:30"),
    ("刚刚", "2026-11-22 15:30"),
])
def test_relative_words_in_a_short_date_context_count(text, expected):
    assert fmt(parse_date(text, now=NOW)) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://jwc.hdu.edu.cn/2026/0326/c13475a290690/page.htm", "2026-03-26"),
    ("http://www.a.edu.cn/xwzx/zhxw/202305/t20230518_88123.html", "2023-05-18"),
    ("http://www.a.edu.cn/xwzx/2024-05/15/c_9001.htm", "2024-05-15"),
    ("http://www.a.edu.cn/a/xwdt/2020/1012/3388.html", "2020-10-12"),
    ("https://www.a.com/gn/2023/05-06/10001234.shtml", "2023-05-06"),
    ("http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm", None),
    ("http://www.a.edu.cn/info/1002/20231399.htm", None),
])
def test_article_urls_that_carry_their_day(url, expected):
    from newscrawl.dates import date_from_url
    found = date_from_url(url)
    assert (found.strftime("%Y-%m-%d") if found else None) == expected


@pytest.mark.parametrize("text", ["２０２３年５月６日", "2023－05－06", "落款：２０２３年５月６日"])
def test_full_width_digits_and_dashes_are_a_date(text):
    assert fmt(parse_date(text, now=NOW)) == "2023-05-06 00:00"
