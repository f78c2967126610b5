"""End to end over loopback: a two-page column list -> articles -> files; a re-run fetches no article."""

import json

import pytest

from conftest import crawl

LIST1 = "http://xwzx.cumt.edu.cn/523/list.htm"
LIST2 = "http://xwzx.cumt.edu.cn/523/list2.htm"
ART_A = "http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"
ART_B = "http://xwzx.cumt.edu.cn/33/a2/c523a537506/page.htm"
FILES = {"eff5d2253c36a4d31f8f1cba2bd483d6.md", "097a10403a3b04d2c8efdc302c9958a4.md"}


@pytest.fixture
def cumt_mirror(mirror):
    mirror.add_fixture(LIST1, "cumt_xwzx_523_list.html")
    mirror.add_fixture(LIST2, "cumt_xwzx_523_list2.html")
    mirror.add_fixture(ART_A, "cumt_xwzx_633142.html")
    mirror.add_fixture(ART_B, "cumt_xwzx_537506.html")
    # the pages' span.WP_VisitCount holds a placeholder; the count is served from its url
    for article_id, views in (("633142", "1024"), ("537506", "87")):
        mirror.add(f"http://xwzx.cumt.edu.cn/_visitcountdisplay?siteId=23&type=3&articleId={article_id}", views)
    return mirror


def test_first_crawl_follows_pagination_and_writes_each_article(cumt_mirror, tmp_path):
    result = crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert {p.name for p in (tmp_path / "cumt").glob("*.md")} == FILES
    assert cumt_mirror.requested(LIST2) == [LIST2]
    assert sorted(cumt_mirror.requested("page.htm")) == sorted([ART_A, ART_B])


def test_crawl_follows_only_the_lists_rows_not_navigation_or_offsite_links(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    assert "http://xwzx.cumt.edu.cn/a1/b2/c513a1/page.htm" not in cumt_mirror.log
    assert not [u for u in cumt_mirror.log if "people.com.cn" in u]  # WeChat rows: tests/test_wechat.py


def test_second_run_requests_no_article_and_rewrites_nothing(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cumt").glob("*.md")}
    cumt_mirror.log.clear()
    result = crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert cumt_mirror.requested("page.htm") == []
    assert LIST1 in cumt_mirror.log  # list pages are still read to find new articles
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cumt").glob("*.md")} == mtimes


def test_full_rerun_fetches_articles_again_but_leaves_identical_files_alone(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cumt").glob("*.md")}
    cumt_mirror.log.clear()
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}", "-a", "full=1")
    assert sorted(cumt_mirror.requested("page.htm")) == sorted([ART_A, ART_B])
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cumt").glob("*.md")} == mtimes


def test_max_pages_bounds_pagination(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}", "-a", "max_pages=1")
    assert LIST2 not in cumt_mirror.log


def test_json_lines_export_carries_normalized_fields(cumt_mirror, tmp_path):
    out = tmp_path / "items.jsonl"
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}", "-O", str(out))
    items = {i["url"]: i for i in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    item = items[ART_A]
    assert item["urlname"] == "eff5d2253c36a4d31f8f1cba2bd483d6"
    assert item["published"] == "2022-09-07T00:00:00+08:00"
    assert item["views"] == 1024
    assert item["author"] == "总务部"
    assert item["school"] == "中国矿业大学" and item["tags"] == ["中国矿业大学"]
    assert len(item["images"]) == 10 and item["images"][0].startswith("http://xwzx.cumt.edu.cn/_upload/")
    assert item["body"].endswith(f"[转入文章首发地址]({ART_A})")


def test_summary_json_counts_the_crawl(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    summary = json.loads((tmp_path / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["lists_read"], summary["articles_found"], summary["articles_written"]) == ("ok", 2, 2, 2)


def test_lost_state_file_is_rebuilt_from_the_archive_files(cumt_mirror, tmp_path):
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    (tmp_path / ".newscrawl-state.sqlite3").unlink()
    for leftover in tmp_path.glob(".newscrawl-state.sqlite3-*"):
        leftover.unlink()
    cumt_mirror.log.clear()
    result = crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    assert "rebuilding it from them" in result.stderr
    assert cumt_mirror.requested("page.htm") == []


def test_state_command_reports_and_prunes_missing_files(cumt_mirror, tmp_path):
    from conftest import scrapy

    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    (tmp_path / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6.md").unlink()
    state = ["state", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}"]
    report = scrapy(*state, timeout=60)
    assert "1 recorded articles have no archive file" in report.stderr
    scrapy(*state, "--prune", timeout=60)
    cumt_mirror.log.clear()
    crawl(cumt_mirror, tmp_path, "cumt", "-a", f"lists={LIST1}")
    assert cumt_mirror.requested("page.htm") == [ART_A]  # forgotten, so fetched and written again
    assert (tmp_path / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6.md").exists()
