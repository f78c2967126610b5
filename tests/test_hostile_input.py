"""Bad input through a real crawl: no date, empty body, GBK without a charset header, hostile titles."""

import json

from conftest import crawl

ARTICLE = "http://xwzx.cumt.edu.cn/2024/0105/c523a700001/page.htm"
PAGE = """<html class="webplus-page"><head>{meta}<title>{title}</title>
<script src="/_js/jquery.min.js" sudy-wp-context="" sudy-wp-siteId="23"></script></head><body>
<div class="article" portletmode="simpleArticleAttri"><h1 class="arti_title">{title}</h1>
<p class="arti_metas">{date}</p>
<div class='wp_articlecontent'>{body}</div></div></body></html>"""


def one_article(mirror, tmp_path, page: str | bytes, url=ARTICLE, content_type="text/html; charset=utf-8"):
    mirror.add(url, page, content_type=content_type)
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "article", "-a", f"url={url}", "-O", str(out))
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    summary = json.loads((tmp_path / ".newscrawl" / "article.last-crawl.json").read_text(encoding="utf-8"))
    return result, items, summary


def test_page_without_any_date_falls_back_to_crawl_time_and_counts_it(mirror, tmp_path):
    url = "http://xwzx.cumt.edu.cn/a1/b2/c523a700002/page.htm"  # hashed URL: no date in it either
    page = PAGE.format(meta="", title="无日期的文章", date="", body="<p>正文第一段。</p>")
    _, items, summary = one_article(mirror, tmp_path, page, url=url)
    assert items[0]["published"] == items[0]["crawled_at"]
    assert summary["date_fallback"] == 1


def test_date_missing_from_meta_line_is_read_from_the_url(mirror, tmp_path):
    page = PAGE.format(meta="", title="只有网址日期", date="<!-- 发布时间：2020-01-01 -->", body="<p>正文。</p>")
    _, items, summary = one_article(mirror, tmp_path, page)
    assert items[0]["published"] == "2024-01-05T00:00:00+08:00"
    assert summary["date_fallback"] == 0


def test_empty_body_is_dropped_with_its_reason(mirror, tmp_path):
    page = PAGE.format(meta="", title="空文章", date="发布时间：2024-01-05", body="<p>&nbsp;</p><p>\u3000</p>")
    result, items, summary = one_article(mirror, tmp_path, page)
    assert items == []
    assert summary["dropped"] == {"empty_body": 1}
    assert "empty_body" in result.stderr
    assert not list(tmp_path.rglob("*.md"))


def test_gbk_page_without_charset_header_decodes(mirror, tmp_path):
    page = PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                       title="矿大新闻：编码测试", date="发布时间：2024-01-05", body="<p>徐州，中国矿业大学。</p>")
    _, items, _ = one_article(mirror, tmp_path, page.encode("gbk"), content_type="text/html")
    assert items[0]["title"] == "矿大新闻：编码测试"
    assert "徐州，中国矿业大学。" in items[0]["body"]


def test_hostile_title_keeps_front_matter_valid(mirror, tmp_path):
    from newscrawl.archive import parse_front_matter

    title = "- [通知] a: b # c | d {e} \"f\" 'g'\x07\x00"
    page = PAGE.format(meta="", title=title.replace("\x00", "").replace("<", ""), date="发布时间：2024-01-05",
                       body="<p>正文。</p>")
    _, items, _ = one_article(mirror, tmp_path, page)
    written = tmp_path / "cumt" / f"{items[0]['urlname']}.md"
    front = parse_front_matter(written.read_text(encoding="utf-8"))
    assert front["title"] == "中国矿业大学->- [通知] a: b # c | d {e} \"f\" 'g' | cumt.net.cn"
    assert front["urlname"] == items[0]["urlname"]
