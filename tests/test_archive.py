"""Archive Markdown rendering: front matter quoting, the summary marker, YAML round trips."""

from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from newscrawl.archive import front_matter, parse_front_matter, render_body, with_more_marker
from newscrawl.clean import clean_title


def item(title="普通标题", **kw):
    base = dict(school="中国矿业大学", archive="cumt.net.cn", title=title, published="2022-09-07T00:00:00+08:00",
                urlname="eff5d2253c36a4d31f8f1cba2bd483d6", tags=["中国矿业大学"], categories=["cumt.net.cn", "中国矿业大学"])
    base.update(kw)
    return SimpleNamespace(**base)


def test_ordinary_title_is_written_unquoted_with_the_seed_layout():
    text = front_matter(item())
    assert text.splitlines()[1] == "title: 中国矿业大学->普通标题 | cumt.net.cn"
    assert "tags: \n- 中国矿业大学\ncategories:\n- cumt.net.cn\n" in text
    assert text.endswith("authorbox: false\nsidebar: false\n---\n")


def test_title_with_yaml_metacharacters_is_quoted_and_round_trips():
    for title in ["a: b", "#1 新闻", "- 开头", "[置顶] 通知", "| 竖线", "{x}", "it's \"q\""]:
        parsed = parse_front_matter(front_matter(item(title=title)) + "body")
        assert parsed["title"] == f"中国矿业大学->{title} | cumt.net.cn"


def test_summary_marker_cuts_at_last_clause_mark_within_200_characters():
    text = "甲" * 150 + "，" + "乙" * 100
    assert with_more_marker(text) == "甲" * 150 + "，\n<!--more-->\n" + "乙" * 100


def test_short_body_has_no_summary_marker():
    assert with_more_marker("短文。") == "短文。"


def test_body_lists_images_then_the_source_link_without_final_newline():
    body = render_body(["第一段。"], ["http://a.cn/1.jpg"], "http://a.cn/x.htm")
    assert body == "第一段。\n\n![图](http://a.cn/1.jpg)\n\n[转入文章首发地址](http://a.cn/x.htm)"


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_cleaned_title_round_trips_through_front_matter(raw):
    title = clean_title(raw)
    if not title:
        return
    parsed = parse_front_matter(front_matter(item(title=title)))
    assert parsed["title"] == f"中国矿业大学->{title} | cumt.net.cn"
    assert parsed["urlname"] == "eff5d2253c36a4d31f8f1cba2bd483d6"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=5))
def test_any_body_text_leaves_front_matter_parseable(paragraphs):
    body = render_body(paragraphs, [], "http://a.cn/x.htm")
    front = front_matter(item())
    markdown = front + body
    # the front matter is exactly the fixed one, and nothing in the body can close or reopen it
    assert parse_front_matter(markdown) == parse_front_matter(front)
    assert parse_front_matter(markdown)["slug"] == "eff5d2253c36a4d31f8f1cba2bd483d6"
    assert not any(line.strip() in ("---", "+++") for line in body.split("\n"))


def test_short_bodies_fingerprint_with_their_title_long_ones_without():
    from newscrawl.archive import content_fingerprint, render_body

    pdf = [{"url": "http://a.cn/1.pdf", "name": "1.pdf"}]
    short = render_body(["详见附件。"], [], "http://a.cn/x.htm", pdf)
    assert content_fingerprint(short, "通知一") != content_fingerprint(short, "通知二")
    long_text = render_body(["长" * 120], [], "http://a.cn/x.htm")
    assert content_fingerprint(long_text, "原标题") == content_fingerprint(long_text, "转载标题")
