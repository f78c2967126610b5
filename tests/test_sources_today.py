"""The users' sources as they are today: cumt's www.cumt.edu.cn columns, xjtu 要闻聚焦, walls on both."""

import json

from conftest import crawl, fixture_text

from newscrawl.config import load_sources
from newscrawl.extract.article import extract_article
from newscrawl.extract.lists import extract_list

WWW = "https://www.cumt.edu.cn"
SIDIAN = WWW + "/19673/list.htm"
ART = WWW + "/c1/2f/c19673a717601/page.htm"
YWJJ = "https://news.xjtu.edu.cn/ywjj.htm"
RUISHU = b"<html><head><meta r='m' content='x'><script r='m'>$_ts=window['$_ts'];</script></head><body></body></html>"


def test_cumt_reads_the_six_www_columns_and_keeps_xwzx():
    cumt = load_sources()["cumt"]
    urls = [lp.url for lp in cumt.lists]
    assert urls[:6] == [f"{WWW}/{c}/list.htm" for c in (19673, 19674, 19676, 19677, 19678, 19679)]
    assert "http://xwzx.cumt.edu.cn/523/list.htm" in urls
    assert (cumt.school, cumt.archive, cumt.tags, cumt.categories) == (
        "中国矿业大学", "cumt.net.cn", ("中国矿业大学",), ("cumt.net.cn", "中国矿业大学"))
    assert cumt.owns_host("news.cumt.edu.cn") and cumt.wechat


def test_www_cumt_list_template_rows_and_pager():
    page = extract_list(fixture_text("cumt_www_19673_list.html"), SIDIAN)
    assert page.cms == "webplus"
    assert page.links == [ART, WWW + "/c1/1e/c19673a717598/page.htm"]
    assert page.next_url == WWW + "/19673/list2.htm"


def test_www_cumt_article_template_date_and_source_from_news_xx():
    result = extract_article(fixture_text("cumt_www_717601.html"), ART)
    assert result.title == "学校召开2023年秋季学期教学工作会议"
    assert result.published.isoformat() == "2023-09-21T00:00:00+08:00"  # the URL has no date in it
    assert (result.department, result.author) == ("本科生院", "李明")
    assert result.paragraphs[0].startswith("9月20日下午") and result.paragraphs[-1].endswith("参加会议。")
    assert result.images == [WWW + "/_upload/article/images/5a/1c/0f3e9a2b4c6d/7d1e2f30-aaaa-4b5c-9d8e-1234567890ab.jpg"]


def test_www_cumt_column_crawls_into_the_cumt_archive(mirror, tmp_path):
    mirror.add_fixture(SIDIAN, "cumt_www_19673_list.html")
    mirror.add_fixture(ART, "cumt_www_717601.html")
    mirror.add(WWW + "/c1/1e/c19673a717598/page.htm", fixture_text("cumt_www_717601.html").replace("717601", "717598").replace("会议强调", "会上指出"))
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={SIDIAN}", "-a", "max_pages=1", "-O", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {i["url"] for i in items} == {ART, WWW + "/c1/1e/c19673a717598/page.htm"}
    markdown = next((tmp_path / "cumt").glob("*.md")).read_text(encoding="utf-8")
    assert markdown.startswith("---\ntitle: 中国矿业大学->学校召开2023年秋季学期教学工作会议 | cumt.net.cn\n")


def test_xjtu_follows_its_news_sites_ywjj_column():
    xjtu = load_sources()["xjtu"]
    assert YWJJ in [lp.url for lp in xjtu.lists]


def test_xjtu_ywjj_behind_a_wall_is_blocked_not_broken(mirror, tmp_path):
    mirror.add(YWJJ, RUISHU)
    result = crawl(mirror, tmp_path, "xjtu", "-a", f"lists={YWJJ}")
    assert result.returncode == 4, result.stderr[-2000:]
    assert json.loads((tmp_path / ".newscrawl" / "xjtu.last-crawl.json").read_text())["status"] == "blocked"


def test_uestc_columns_behind_a_wall_are_blocked_not_broken(mirror, tmp_path):
    for list_page in load_sources()["uestc"].lists:
        mirror.add(list_page.url, "", status=412)
    result = crawl(mirror, tmp_path, "uestc")
    assert result.returncode == 4, result.stderr[-2000:]
    assert json.loads((tmp_path / ".newscrawl" / "uestc.last-crawl.json").read_text())["status"] == "blocked"
