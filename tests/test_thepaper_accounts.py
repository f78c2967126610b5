"""thepaper 澎湃号: accounts mapped to schools, the list API conversation, its errors, pre-2022 pages."""

import json

import pytest

from conftest import crawl, fixture_text

from newscrawl.config import ConfigError, PphAccount, load_sources
from newscrawl.extract.article import extract_article
from newscrawl.spiders.thepaper import account_labels

API = "https://api.thepaper.cn/contentapi/cont/pph/user"


def article(cont_id: int, user_id: int, sname: str) -> str:
    detail = {"contId": cont_id, "name": f"澎湃号文章{cont_id}", "author": sname, "source": "澎湃新闻·澎湃号·政务",
              "pubTime": "2024-04-15 09:27", "authorInfo": {"userId": user_id, "sname": sname},
              "content": f"<p>第{cont_id}篇文章的正文。</p><p>第二段。</p>"}
    data = json.dumps({"props": {"pageProps": {"detailData": {"contentDetail": detail}}}}, ensure_ascii=False)
    return f'<html><head><title>x</title></head><body><script id="__NEXT_DATA__" type="application/json">{data}</script></body></html>'


def url_of(cont_id: int) -> str:
    return f"https://www.thepaper.cn/newsDetail_forward_{cont_id}"


def sources_file(tmp_path, pph: str):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  thepaper:\n    school: 北方工业大学\n    archive: thepaper.cn\n"
                    "    tags: [北方工业大学, 澎湃号]\n    categories: [thepaper.cn, 北方工业大学]\n"
                    f"    cms: thepaper\n    domains: [thepaper.cn]\n    pph: {pph}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("pph, expected", [
    ("[1111, '2222']", [PphAccount("1111"), PphAccount("2222")]),
    ("{1111: 北方工业大学}", [PphAccount("1111", "北方工业大学")]),
    ("{'1111': {school: 中国矿业大学, tags: [矿大]}}", [PphAccount("1111", "中国矿业大学", ("矿大",))]),
    ("[{id: 1111, school: 中国矿业大学, categories: [thepaper.cn, 矿大]}]",
     [PphAccount("1111", "中国矿业大学", (), ("thepaper.cn", "矿大"))]),
])
def test_pph_accepts_ids_or_a_mapping_to_schools(tmp_path, pph, expected):
    source = load_sources(sources_file(tmp_path, pph))["thepaper"]
    assert list(source.pph_accounts) == expected
    assert source.pph == tuple(a.id for a in expected)


def test_pph_account_id_must_be_a_number(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.thepaper.pph\[0\].id"):
        load_sources(sources_file(tmp_path, "[{id: abc, school: x}]"))


def test_labels_come_from_the_mapping_else_from_the_accounts_name(tmp_path):
    source = load_sources(sources_file(tmp_path, "[]"))["thepaper"]
    mapped = PphAccount("1", "中国矿业大学")
    assert account_labels(source, mapped, "矿大新闻") == (
        "中国矿业大学", ("中国矿业大学", "澎湃号"), ("thepaper.cn", "中国矿业大学"))
    assert account_labels(source, None, "东丰公安") == ("东丰公安", ("东丰公安", "澎湃号"), ("thepaper.cn", "东丰公安"))
    assert account_labels(source, PphAccount("1", "X", ("a",), ("b",)), None) == ("X", ("a",), ("b",))
    assert account_labels(source, None, None) == ("北方工业大学", ("北方工业大学", "澎湃号"), ("thepaper.cn", "北方工业大学"))


def test_pre_2022_page_without_next_data_yields_its_text():
    result = extract_article(fixture_text("thepaper_legacy_2020.html"), url_of(6531234))
    assert result.title == "北方工大举行2020年春季学期线上开学典礼"
    assert result.published.isoformat() == "2020-03-02T16:45:00+08:00"
    assert result.paragraphs == ["3月2日上午，北方工业大学2020年春季学期线上开学典礼通过网络直播举行。",
                                 "校长在讲话中勉励同学们珍惜时光、勤奋学习，做到停课不停学。", "典礼在庄严的国歌声中结束。"]
    assert result.images == ["https://imagepphcloud.thepaper.cn/pph/image/51/202/331.jpg"]
    assert (result.author, result.department) == ("北方工业大学", "澎湃新闻·澎湃号·政务")


def api_pages(mirror, pages):
    answers = iter(pages)
    mirror.routes[API] = {"status": 200, "headers": {"Content-Type": "application/json"},
                          "body": lambda: json.dumps(next(answers), ensure_ascii=False).encode()}


def test_account_list_api_conversation_paging_labels_and_incremental_stop(mirror, tmp_path):
    page1 = {"code": 200, "data": {"list": [{"contId": 101, "pubTimeLong": 1713144420000},
                                            {"contId": 102, "pubTimeLong": 1713058020000}],
                                   "hasNext": True, "startTime": 1713058020000}}
    page2 = {"code": 200, "data": {"list": [{"contId": 103, "pubTimeLong": 1712971620000}], "hasNext": False}}
    api_pages(mirror, [page1, page2, page1])
    mirror.add(url_of(101), article(101, 2222, "矿大新闻"))
    mirror.add(url_of(102), article(102, 2222, "矿大新闻"))
    mirror.add(url_of(103), article(103, 3333, "东丰公安"))  # reposted by another account: its own name
    sources = sources_file(tmp_path, "{2222: {school: 中国矿业大学, tags: [中国矿业大学, 澎湃号]}}")
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "thepaper", "-O", str(out), settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert result.returncode == 0, result.stderr[-2000:]

    calls = [c for c in mirror.calls if c["url"] == API]
    assert [c["method"] for c in calls] == ["POST", "POST"]
    for call in calls:
        assert call["headers"]["Content-Type"] == "application/json"
        assert call["headers"]["Referer"].startswith("https://www.thepaper.cn/")
    bodies = [json.loads(c["body"]) for c in calls]
    assert bodies[0] == {"pageSize": 20, "pageNum": 1, "contType": 0, "excludeContIds": [], "pphId": "2222", "startTime": ""}
    assert (bodies[1]["pageNum"], bodies[1]["startTime"], bodies[1]["pphId"]) == (2, 1713058020000, "2222")

    items = {i["url"]: i for i in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(items) == {url_of(101), url_of(102), url_of(103)}
    assert (items[url_of(101)]["school"], items[url_of(101)]["categories"]) == ("中国矿业大学", ["thepaper.cn", "中国矿业大学"])
    assert items[url_of(103)]["school"] == "东丰公安"
    assert all(i["source"] == "thepaper" for i in items.values())

    # next run: page 1 holds only archived articles and the account was read to its end once
    mirror.calls.clear()
    result = crawl(mirror, tmp_path, "thepaper", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert [c["url"] for c in mirror.calls if "robots.txt" not in c["url"]] == [API]
    summary = json.loads((tmp_path / ".newscrawl" / "thepaper.last-crawl.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["already_archived"], summary["articles_new"]) == ("ok", 2, 0)


def test_api_error_code_reports_the_source_broken_with_the_code(mirror, tmp_path):
    api_pages(mirror, [{"code": 99998, "desc": "非法请求", "data": None}])
    result = crawl(mirror, tmp_path, "thepaper", "-a", "pph=2222")
    assert result.returncode == 3
    summary = json.loads((tmp_path / ".newscrawl" / "thepaper.last-crawl.json").read_text(encoding="utf-8"))
    assert summary["status"] == "broken" and summary["http_errors"] == {"api_99998": 1}
    assert "api_99998 1" in result.stderr and "error code 99998 (非法请求)" in result.stderr


def test_article_spider_labels_a_pph_article_with_its_accounts_school_too(mirror, tmp_path):
    mirror.add(url_of(105), article(105, 7777, "东丰公安"))
    out = tmp_path / "items.jsonl"
    crawl(mirror, tmp_path, "article", "-a", f"url={url_of(105)}", "-O", str(out))
    item = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert (item["source"], item["school"], item["tags"]) == ("thepaper", "东丰公安", ["东丰公安", "澎湃号"])
    markdown = (tmp_path / "thepaper" / f"{item['urlname']}.md").read_text(encoding="utf-8")
    assert markdown.startswith("---\ntitle: 东丰公安->澎湃号文章105 | thepaper.cn\n")
