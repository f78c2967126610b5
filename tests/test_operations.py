"""What cron sees: exit codes and summaries for blocked, broken and unreachable sources, config errors."""

import json

from conftest import crawl, scrapy

RUISHU_PAGE = """<html><head><meta content="{x}" r='m'><script type="text/javascript" r='m'>
$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qxxEr";</script></head><body></body></html>"""
LIST = "http://news.uestc.edu.cn/jdxw.htm"


def summary_of(tmp_path, name):
    return json.loads((tmp_path / ".newscrawl" / f"{name}.last-crawl.json").read_text(encoding="utf-8"))


def test_http_412_wall_is_reported_as_blocked_with_exit_code_4(mirror, tmp_path):
    mirror.add(LIST, "", status=412)
    result = crawl(mirror, tmp_path, "uestc", "-a", f"lists={LIST}")
    assert result.returncode == 4
    assert "news.uestc.edu.cn blocked the crawler" in result.stderr
    assert summary_of(tmp_path, "uestc")["status"] == "blocked"


def test_200_ruishu_script_page_is_never_stored_as_an_article(mirror, tmp_path):
    url = "http://news.uestc.edu.cn/info/1005/7909.htm"
    mirror.add(url, RUISHU_PAGE)
    result = crawl(mirror, tmp_path, "article", "-a", f"url={url}")
    assert result.returncode == 4
    assert not list(tmp_path.rglob("*.md"))
    assert summary_of(tmp_path, "article")["blocked"] == 1


def test_list_page_without_article_links_reports_the_source_broken(mirror, tmp_path):
    mirror.add(LIST, "<html><body><div class='new-layout'>改版了</div></body></html>")
    result = crawl(mirror, tmp_path, "uestc", "-a", f"lists={LIST}")
    assert result.returncode == 3
    summary = summary_of(tmp_path, "uestc")
    assert summary["status"] == "broken" and "no article link" in summary["problems"][0]


def test_unreachable_site_is_reported_not_a_traceback(mirror, tmp_path):
    # the mirror is a proxy; point the crawl at a closed port instead to make the site unreachable
    mirror.close()
    result = crawl(mirror, tmp_path, "uestc", "-a", f"lists={LIST}", settings={"RETRY_TIMES": "0"})
    assert result.returncode == 3
    assert "could not be reached" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_error_stops_at_start_with_one_line(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  foo:\n    school: X\n    archive: x.cn\n    cms: joomla\n    lists: [http://x.cn/]\n",
                   encoding="utf-8")
    result = scrapy("list", "-s", f"NEWSCRAWL_SOURCES_FILE={bad}", timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"newscrawl: config error: {bad}: sources.foo.cms: unknown CMS 'joomla' (known: auto, webplus, vsb, thepaper, generic)"
    ]
