"""Edges of the generic rules found in review: what must NOT count as hidden, as a pager or as Big5."""

import pytest

from newscrawl.encoding import choose_encoding
from newscrawl.extract.blocks import is_hidden
from newscrawl.extract.lists import extract_list
from newscrawl.urls import canonical_url

ROWS = "".join(f'<li><a href="/info/1002/{100 + i}.htm">学校新闻标题第{i}条关于学校工作</a><span>2024-05-{i + 1:02d}</span></li>'
               for i in range(12))


def column(pager: str, before: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><title>学校要闻</title></head><body>{before}'
            f'<div class="list"><ul>{ROWS}</ul></div><div class="pager">{pager}</div></body></html>')


def next_of(html: str) -> str | None:
    found = extract_list(html, "http://www.example.edu.cn/xxyw.htm", "generic").next_url
    return found and found.replace("http://www.example.edu.cn/", "")


@pytest.mark.parametrize("element, hidden", [
    ('<div class="lh250 none">x</div>', True),         # a tab panel not shown
    ('<div class="hidden">x</div>', True),
    ('<div class="d-none">x</div>', True),
    ('<div class="d-none d-md-none">x</div>', True),
    ('<div class="hidden-xs">x</div>', False),         # hidden on phones only
    ('<div class="d-none d-md-block">x</div>', False),  # shown again on wider screens
    ('<div class="hidden md:block">x</div>', False),
    ('<div class="nonetheless">x</div>', False),
])
def test_hidden_means_hidden_on_every_screen(element, hidden):
    from lxml.html import fragment_fromstring

    assert is_hidden(fragment_fromstring(element)) is hidden


def test_a_body_a_script_reveals_is_not_a_hidden_page():
    from newscrawl.extract.article import extract_article

    page = ('<html><head><title>学校召开会议</title></head><body class="hide"><h1>学校召开会议</h1><div class="content">'
            + "<p>学校召开专题会议，研究部署下一阶段重点工作，会议强调要提高认识、压实责任、狠抓落实。</p>" * 4
            + "</div></body></html>")
    assert extract_article(page, "http://www.example.edu.cn/a.htm", "generic").paragraphs


def test_an_arrow_is_next_only_inside_a_pager():
    sidebar = '<div class="side"><h3>通知公告<a href="/tzgg.htm">»</a></h3></div>'
    assert next_of(column('<a href="xxyw/2.htm">下一页</a>', sidebar)) == "xxyw/2.htm"
    assert next_of(column("<span>尾页</span>", sidebar)) is None
    assert next_of(column('<a href="xxyw/1.htm">1</a><a href="xxyw/2.htm">»</a>')) == "xxyw/2.htm"


def test_numbered_pagers_but_not_calendars_nor_circled_digits():
    assert next_of(column('<span class="current">1</span><a href="xxyw/2.htm">2</a>')) == "xxyw/2.htm"
    calendar = '<div class="calendar"><a class="on" href="cal.jsp?d=28">28</a><a href="cal.jsp?d=29">29</a></div>'
    assert next_of(column("", calendar)) is None
    assert next_of(column("", "<p><span>①</span>说明</p><p><span>²</span>注</p>")) is None


def test_a_few_characters_never_overrule_a_declared_gbk():
    assert choose_encoding("<title>贺伟芳</title><h2>贺伟芳</h2>".encode("gbk"), "text/html; charset=gbk")[0] == "gb18030"


def test_dot_segments_resolve_once_even_after_a_double_slash():
    url = "http://www.example.edu.cn//a/../b.htm"
    assert canonical_url(canonical_url(url)) == canonical_url(url) == "http://www.example.edu.cn//b.htm"


@pytest.mark.parametrize("pager, expected", [
    ("<a href=\"#\" onclick=\"document.pageForm.action='/hard/?page=2';document.pageForm.submit();\">下一页&gt;</a>",
     "hard/?page=2"),
    ("<a href=\"javascript:void(0)\" onclick=\"location.href='xxyw/2.htm'\">下一页</a>", "xxyw/2.htm"),
    ("<a href=\"javascript:window.open('xxyw/2.htm')\">下一页</a>", "xxyw/2.htm"),
    ('<a href="#" onclick="goPage(2)">下一页</a>', None),  # a function only the page's script knows
])
def test_a_next_link_that_goes_by_script_is_followed_where_it_names_the_address(pager, expected):
    assert next_of(column(pager)) == expected


def test_list_link_url_builds_each_rows_address_from_its_attributes():
    rows = ('<a href="#" newsId="567e1545">一</a><a href="#" NEWSID="0589c37f">二</a><a href="#">没有编号</a>'
            '<a href="#" newsId="a b/c">三</a>')
    page = extract_list(f"<html><body><div class='l'>{rows}</div></body></html>", "http://www.example.edu.cn/hard/",
                        "generic", "div.l a", "/info/{newsId}")
    assert page.links == ["http://www.example.edu.cn/info/567e1545", "http://www.example.edu.cn/info/0589c37f",
                          "http://www.example.edu.cn/info/a%20b%2Fc"]


def test_headline_links_in_a_hidden_box_do_not_make_a_one_line_notice_a_channel_page():
    from newscrawl.extract.article import extract_article

    hidden = "".join(f'<li><a href="/info/{n}.htm">学校召开第{n}次专题工作会议部署工作</a></li>' for n in range(12))
    page = ('<html><head><title>关于停水的通知</title></head><body><h1>关于停水的通知</h1>'
            '<div class="content"><p>本周六上午学生公寓区停水</p><p>后勤处</p></div>'
            f'<div style="display:none"><ul class="more">{hidden}</ul></div></body></html>')
    assert extract_article(page, "http://www.example.edu.cn/info/99.htm", "generic").page_kind == "article"
