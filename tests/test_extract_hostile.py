"""Hostile page shapes: deep nesting and huge lists stay fast and never raise."""

import time

from newscrawl.extract.article import extract_article
from newscrawl.extract.blocks import html_blocks
from newscrawl.extract.lists import extract_list
from parsel import Selector


def test_a_5000_deep_page_is_walked_without_recursion_error():
    depth = 5000
    page = ("<html><body><div class='wp_articlecontent'>" + "<div><span>" * depth + "深处的正文。"
            + "</span></div>" * depth + "<p>最后一段。</p></div></body></html>")
    # deeper than Python's recursion limit, within what libxml2 keeps of a tree
    root = Selector(text="<div id=x>" + "<div>" * 1500 + "文字<br>下一行" + "</div>" * 1500 + "<p>尾</p></div>").css("#x")[0].root
    assert html_blocks(root, "http://a.edu.cn/").paragraphs == ["文字", "下一行", "尾"]
    # libxml2 drops what lies past its depth cap; the rest of the page must still be read
    for cms in ("webplus", "vsb", "generic"):
        extract_article(page, "http://a.edu.cn/2024/0105/c1a2/page.htm", cms)
    extract_list(page, "http://a.edu.cn/2024/list.htm")


def test_a_huge_list_page_is_read_in_linear_time():
    # 30,000 rows: ~2 s of CPU in linear time; the quadratic dedupe it replaces took ~25 s. CPU time
    # of this process, not wall time: the bound holds however loaded the machine is
    rows = "".join(f'<li><a href="/info/1002/{i}.htm">第{i}条</a></li>' for i in range(30_000))
    page = f"<html><body><ul class='list'>{rows}</ul></body></html>"
    started = time.process_time()
    listing = extract_list(page, "http://a.edu.cn/xwzx.htm", "generic")
    assert len(listing.links) == 30_000
    listing = extract_list(page, "http://a.edu.cn/xwzx.htm", "generic", link_css="ul.list a")
    assert len(listing.links) == 30_000
    assert time.process_time() - started < 10
