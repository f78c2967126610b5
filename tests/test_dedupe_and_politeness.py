"""Dedupe by content across sites, WebPlus view counters, robots.txt and the User-Agent."""

import json

from conftest import crawl, fixture_text

XWZX = "http://xwzx.cumt.edu.cn/33/a2/c523a537506/page.htm"
ZWB = "http://zwb.cumt.edu.cn/2019/0830/c1234a537506/page.htm"


def test_same_text_reposted_on_another_site_is_archived_once(mirror, tmp_path):
    page = fixture_text("cumt_xwzx_537506.html")
    mirror.add(XWZX, page)
    mirror.add(ZWB, page)
    out = tmp_path / "items.jsonl"
    crawl(mirror, tmp_path, "article", "-a", f"url={XWZX},{ZWB}", "-O", str(out),
          settings={"CONCURRENT_REQUESTS": 1})
    assert len(list((tmp_path / "cumt").glob("*.md"))) == 1
    summary = json.loads((tmp_path / ".newscrawl" / "article.last-crawl.json").read_text(encoding="utf-8"))
    assert summary["dropped"] == {"duplicate_content": 1}


def test_repost_found_in_a_later_run_is_dropped_too(mirror, tmp_path):
    page = fixture_text("cumt_xwzx_537506.html")
    mirror.add(XWZX, page)
    mirror.add(ZWB, page)
    crawl(mirror, tmp_path, "article", "-a", f"url={XWZX}")
    crawl(mirror, tmp_path, "article", "-a", f"url={ZWB}")
    assert len(list((tmp_path / "cumt").glob("*.md"))) == 1


def test_webplus_view_count_is_fetched_when_the_page_does_not_print_it(mirror, tmp_path):
    page = fixture_text("cumt_xwzx_537506.html").replace(">87</span>", "></span>")
    counter = "http://xwzx.cumt.edu.cn/_visitcountdisplay?siteId=23&type=3&articleId=537506"
    mirror.add(XWZX, page)
    mirror.add(counter, "4321", content_type="text/html")
    out = tmp_path / "items.jsonl"
    crawl(mirror, tmp_path, "article", "-a", f"url={XWZX}", "-O", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["views"] == 4321


def test_robots_txt_is_obeyed(mirror, tmp_path):
    mirror.add("http://xwzx.cumt.edu.cn/robots.txt", "User-agent: *\nDisallow: /33/\n", content_type="text/plain")
    mirror.add(XWZX, fixture_text("cumt_xwzx_537506.html"))
    crawl(mirror, tmp_path, "article", "-a", f"url={XWZX}")
    assert XWZX not in mirror.log
    assert not list(tmp_path.rglob("*.md"))


def test_user_agent_names_the_project_and_its_contact(mirror, tmp_path):
    seen = []
    mirror.add(XWZX, fixture_text("cumt_xwzx_537506.html"))
    original = mirror.server.RequestHandlerClass.do_GET

    def record(handler):
        seen.append(handler.headers.get("User-Agent"))
        original(handler)

    mirror.server.RequestHandlerClass.do_GET = record
    crawl(mirror, tmp_path, "article", "-a", f"url={XWZX}", settings={"NEWSCRAWL_CONTACT_URL": "https://example.edu.cn/crawler"})
    assert seen and all(ua.startswith("newscrawl/") and ua.endswith("(+https://example.edu.cn/crawler)") for ua in seen)
