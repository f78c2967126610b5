"""Seeds 002 (thepaper), 003 (UESTC, VSB) and 004 (XJTU, VSB) through real crawls: paragraphs, dates, views."""

import json
import re

from conftest import FIXTURES, crawl

THEPAPER = "https://www.thepaper.cn/newsDetail_forward_11541234"
UESTC = "http://news.uestc.edu.cn/info/1005/7909.htm"
UESTC_VIEWS = "http://news.uestc.edu.cn/system/resource/code/news/click/dynclicks.jsp?clickid=7909&owner=1389416632&clicktype=wbnews"
XJTU = "http://nic.xjtu.edu.cn/info/1012/1001.htm"
XJTU_VIEWS = "http://nic.xjtu.edu.cn/system/resource/code/news/click/dynclicks.jsp?clickid=1001&owner=1968706210&clicktype=wbnews"


def seed_paragraphs(name):
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def body_paragraphs(body: str) -> list[str]:
    """The text paragraphs: no summary marker, images, attachment links listed after the text, source link."""
    text = body.replace("\n<!--more-->\n\n", "\n\n").replace("\n<!--more-->\n", "")
    return [p for p in text.split("\n\n") if not p.startswith(("![图](", "[")) or not p.endswith(")")]


def export(mirror, tmp_path, spider, *args):
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, spider, *args, "-O", str(out))
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return result, items


def test_thepaper_article_body_is_seed_002_without_chrome_or_wechat_tail(mirror, tmp_path):
    mirror.add_fixture(THEPAPER, "thepaper_11541234.html")
    _, items = export(mirror, tmp_path, "thepaper", "-a", f"url={THEPAPER}")
    item = items[0]
    assert body_paragraphs(item["body"]) == seed_paragraphs("thepaper_11541234.paragraphs.txt")
    for chrome in ("澎湃Logo", "下载客户端", "我要举报", "ICP", "继续滑动看下一个", "阅读原文", "本文为澎湃号作者"):
        assert chrome not in item["body"]
    assert item["original_title"] == "矢志不渝 攻坚不怠|脱贫攻坚中的北方工大力量"
    assert item["published"] == "2021-03-03T20:01:00+08:00"
    assert item["department"] == "澎湃新闻·澎湃号·政务"
    assert item["url"] == THEPAPER
    assert (tmp_path / "thepaper" / f"{item['urlname']}.md").exists()


def test_uestc_vsb_article_body_is_seed_003(mirror, tmp_path):
    mirror.add_fixture(UESTC, "uestc_news_7909.html")
    mirror.add(UESTC_VIEWS, "1234", content_type="text/html")
    _, items = export(mirror, tmp_path, "article", "-a", f"url={UESTC}")
    item = items[0]
    assert body_paragraphs(item["body"]) == seed_paragraphs("uestc_news_7909.paragraphs.txt")
    assert (item["source"], item["department"], item["editor"]) == ("uestc", "后勤保障部", "王敏")
    assert item["published"] == "2019-10-31T16:20:00+08:00"
    assert item["views"] == 1234


def test_xjtu_vsb_article_date_is_normalized_and_views_is_a_number(mirror, tmp_path):
    mirror.add_fixture(XJTU, "xjtu_nic_1001.html")
    mirror.add(XJTU_VIEWS, "  356\r\n", content_type="text/html")
    _, items = export(mirror, tmp_path, "article", "-a", f"url={XJTU}")
    item = items[0]
    assert body_paragraphs(item["body"]) == seed_paragraphs("xjtu_nic_1001.paragraphs.txt")
    assert item["title"] == "党建扶贫双推进，信息化服务进乡村"
    assert item["published"] == "2018-10-23T00:00:00+08:00"
    assert item["views"] == 356
    assert item["author"] == "网信中心 董洋"
    assert [a["name"] for a in item["attachments"]] == ["活动照片.zip"]
    assert len(item["images"]) == 2 and all(i.startswith("http://nic.xjtu.edu.cn/__local/") for i in item["images"])
    markdown = (tmp_path / "xjtu" / f"{item['urlname']}.md").read_text(encoding="utf-8")
    assert re.search(r"^date: 2018-10-23 00:00:00$", markdown, re.M)
    assert "时间：" not in markdown


def test_failed_view_count_leaves_views_null_not_the_article(mirror, tmp_path):
    mirror.add_fixture(XJTU, "xjtu_nic_1001.html")
    mirror.add(XJTU_VIEWS, "error", status=500)
    _, items = export(mirror, tmp_path, "article", "-a", f"url={XJTU}")
    assert len(items) == 1 and items[0]["views"] is None


def test_views_off_by_setting_makes_no_counter_request(mirror, tmp_path):
    mirror.add_fixture(XJTU, "xjtu_nic_1001.html")
    out = tmp_path / "items.jsonl"
    crawl(mirror, tmp_path, "article", "-a", f"url={XJTU}", "-O", str(out), settings={"NEWSCRAWL_VIEWS": "False"})
    assert not [u for u in mirror.log if "dynclicks" in u]
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["views"] is None


def test_pph_account_articles_are_listed_through_the_api_with_paging(mirror, tmp_path):
    api = "https://api.thepaper.cn/contentapi/cont/pph/user"
    pages = iter([
        {"code": 200, "data": {"list": [{"contId": 11541234, "name": "矢志不渝", "pubTimeLong": 1614772860000}],
                               "hasNext": True, "startTime": 1614772860000}},
        {"code": 200, "data": {"list": [{"contId": 11541234}], "hasNext": False}},
    ])
    mirror.routes[api] = {"status": 200, "headers": {"Content-Type": "application/json"},
                          "body": lambda: json.dumps(next(pages)).encode()}
    mirror.add_fixture(THEPAPER, "thepaper_11541234.html")
    result = crawl(mirror, tmp_path, "thepaper", "-a", "pph=6898250")
    assert mirror.log.count(api) == 2, result.stderr[-1500:]
    summary = json.loads((tmp_path / ".newscrawl" / "thepaper.last-crawl.json").read_text())
    assert (summary["articles_found"], summary["articles_written"]) == (2, 1)  # the same contId twice
