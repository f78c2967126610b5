"""Dates, URLs and cleaning: the small pure functions everything else relies on."""

from datetime import datetime

import pytest

from newscrawl.clean import clean_paragraph, clean_paragraphs, clean_title
from newscrawl.dates import CHINA_TZ, date_from_url, parse_date
from newscrawl.urls import canonical_url, urlname

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=CHINA_TZ)


@pytest.mark.parametrize("text, expected", [
    ("发布时间：2026-03-26", "2026-03-26 00:00"),
    ("时间：2018-10-23", "2018-10-23 00:00"),
    ("2016-01-06 16:13", "2016-01-06 16:13"),
    ("[2026年06月05日]", "2026-06-05 00:00"),
    ("日期: 2026/3/5 8:05", "2026-03-05 08:05"),
    ("3小时前", "2026-11-22 12:30"),
    ("昨天 10:00", "2026-11-21 10:00"),
])
def test_date_forms_normalize_to_china_time(text, expected):
    assert parse_date(text, now=NOW).strftime("%Y-%m-%d %H:%M") == expected
    assert parse_date(text, now=NOW).utcoffset().total_seconds() == 8 * 3600


def test_text_without_a_date_gives_none():
    assert parse_date("浏览次数：12") is None


def test_webplus_url_carries_its_day():
    assert date_from_url("https://jwc.hdu.edu.cn/2026/0326/c13475a290690/page.htm").day == 26
    assert date_from_url("http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm") is None


def test_urlname_is_md5_of_the_published_url():
    assert urlname("http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm") == "eff5d2253c36a4d31f8f1cba2bd483d6"
    assert urlname("http://xwzx.cumt.edu.cn/33/a2/c523a537506/page.htm") == "097a10403a3b04d2c8efdc302c9958a4"


def test_canonical_url_drops_fragment_and_tracking_only():
    assert canonical_url("http://a.cn/x.htm?id=3&utm_source=wx&b=2#top") == "http://a.cn/x.htm?id=3&b=2"
    keep = "https://jwc.xjtu.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1103&wbnewsid=10492"
    assert canonical_url(keep) == keep


def test_paragraph_edges_lose_nbsp_fullwidth_and_zero_width_spaces():
    assert clean_paragraph("\u00a0\u3000\u200b正文 内容\u00a0 ") == "正文 内容"


def test_control_characters_and_newlines_leave_titles():
    assert clean_title("标题\x07\n 第二行\x00") == "标题 第二行"


def test_chrome_paragraphs_are_dropped():
    kept, _ = clean_paragraphs(["正文。", "上一篇：旧闻", "【打印本页】【关闭窗口】", "沪ICP备14003370号"])
    assert kept == ["正文。"]


def test_wechat_mirror_tail_is_cut_and_original_title_kept():
    kept, original = clean_paragraphs(["正文。", "继续滑动看下一个轻触阅读原文", "公众号向上滑动看下一个",
                                       "原标题：《真标题》", "阅读原文"])
    assert (kept, original) == (["正文。"], "真标题")


def test_original_title_at_the_top_does_not_cut_the_article():
    kept, original = clean_paragraphs(["原标题：旧名", "第一段。", "第二段。"])
    assert (kept, original) == (["第一段。", "第二段。"], "旧名")
