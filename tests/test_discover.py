"""`scrapy discover`: column lists found from a home page over loopback, and the printed entry crawls."""

from urllib.parse import urlsplit

import yaml

from conftest import crawl, crawl_command, scrapy
from sitegen import build_vsb_site, build_webplus_site

from newscrawl.discover import Candidate, candidate_links, column_page_one, read_column, site_identity

WP = "http://www.demo-wp.edu.cn"
VSB = "https://news.demo-vsb.edu.cn"


def webplus_home(columns):
    nav = "".join(f'<li><a href="/{c}/list.htm">{t}</a></li>' for c, t in columns)
    return f"""<!DOCTYPE html><html class="webplus-page"><head><meta charset="utf-8"><title>示范大学</title>
<script src="/_js/jquery.min.js" sudy-wp-context="" sudy-wp-siteId="3"></script></head><body>
<div class="nav" frag="窗口1"><ul><li><a href="/main.htm">首页</a></li>{nav}<li><a href="/xxgk/main.htm">学校概况</a></li>
<li><a href="http://www.other.edu.cn/1/list.htm">友情链接</a></li></ul></div>
<div frag="窗口2" portletmode="simpleList"><ul class="news_list"><li><a href="/2025/0101/c11a100000/page.htm">一则新闻</a></li></ul>
<a href="/{columns[0][0]}/list2.htm">更多</a></div></body></html>"""


def vsb_home():
    return """\ufeff<!DOCTYPE html><html><head><meta charset="utf-8"><title>示范科技大学新闻网</title>
<!--Announced by Visual SiteBuilder 9--></head><body><div class="nav"><ul>
<li><a href="index.htm">首页</a></li><li><a href="xwzx.htm">新闻中心</a></li>
<li><a href="about.htm">关于我们</a></li></ul></div></body></html>"""


def vsb_landing():
    """A section page that is no list itself: its columns are one level below the home page."""
    return """<html><head><meta charset="utf-8"><title>新闻中心-示范科技大学新闻网</title></head><body>
<div class="sub-nav"><a href="zhxw.htm">综合新闻</a><a href="xsdt.htm">学术动态</a></div>
<div class="more"><a href="zhxw/2.htm">更多&gt;&gt;</a></div></body></html>"""


def about_page():
    return """<html><head><meta charset="utf-8"><title>关于我们</title></head><body><p>示范科技大学新闻中心负责学校新闻宣传工作。</p>
<ul><li><a href="/info/9/1.htm">联系方式</a></li></ul></body></html>"""


def discover(mirror, tmp_path, url, *args):
    _, env = crawl_command(mirror, tmp_path, "x")
    return scrapy("discover", url, *args, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                  "-s", "RETRY_TIMES=0", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", env=env)


def small_webplus_site(mirror):
    add = mirror.add
    build_webplus_site(add, "www.demo-wp.edu.cn", "11", articles=25, per_page=10)
    build_webplus_site(add, "www.demo-wp.edu.cn", "12", articles=4, per_page=10, seed=3)
    add(WP + "/", webplus_home([("11", "学校要闻"), ("12", "通知公告")]))
    add(WP + "/xxgk/main.htm", about_page())


def test_candidates_are_same_site_non_article_pages_webplus_lists_first():
    found = candidate_links(webplus_home([("11", "学校要闻"), ("12", "通知公告")]), WP + "/")
    assert [c.url for c in found] == [WP + "/11/list.htm", WP + "/12/list.htm", WP + "/xxgk/main.htm"]
    assert found[0].title == "学校要闻"  # the 更多 link of the same column does not rename it
    assert column_page_one(VSB + "/zhxw/12.htm") == VSB + "/zhxw.htm"
    assert column_page_one(VSB + "/info/1002/12.htm") == VSB + "/info/1002/12.htm"


def test_a_page_without_dated_rows_or_pager_is_not_a_column():
    assert read_column(about_page(), VSB + "/about.htm", Candidate(VSB + "/about.htm", "关于我们", 0)) is None


def test_school_and_name_come_from_the_home_page():
    assert site_identity(vsb_home(), VSB + "/") == ("demo_vsb", "示范科技大学")
    assert site_identity("<title>欢迎访问某某学院</title>", "https://www.mm.edu.cn/") == ("mm", "某某学院")


def test_discovery_of_a_webplus_site_prints_an_entry_that_crawls(mirror, tmp_path):
    small_webplus_site(mirror)
    sources = tmp_path / "sources.yaml"
    result = discover(mirror, tmp_path, WP + "/", "--write", str(sources))
    assert result.returncode == 0, result.stderr[-2000:]
    entry = yaml.safe_load("sources:\n" + result.stdout)["sources"]["demo_wp"]
    assert entry["school"] == "示范大学" and entry["cms"] == "webplus"
    assert entry["lists"] == [{"url": WP + "/11/list.htm", "cms": "webplus"}, {"url": WP + "/12/list.htm", "cms": "webplus"}]
    assert "# 学校要闻: 10 rows" in result.stdout and "# 通知公告: 4 rows" in result.stdout
    assert not mirror.requested("other.edu.cn")
    crawled = crawl(mirror, tmp_path, "demo_wp", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert len(list((tmp_path / "demo_wp").glob("*.md"))) == 29


def test_discovery_of_a_vsb_site_reads_one_more_level_and_appends_to_an_existing_file(mirror, tmp_path):
    build_vsb_site(mirror.add, "news.demo-vsb.edu.cn", "zhxw", articles=12, per_page=5, scheme="https")
    build_vsb_site(mirror.add, "news.demo-vsb.edu.cn", "xsdt", articles=3, per_page=5, seed=5, scheme="https")
    mirror.add(VSB + "/", vsb_home())
    mirror.add(VSB + "/about.htm", about_page())
    mirror.add(VSB + "/xwzx.htm", vsb_landing())
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  other:\n    school: 别校\n    archive: other.cc\n    lists: [\"http://other.edu.cn/1/list.htm\"]\n",
                       encoding="utf-8")
    result = discover(mirror, tmp_path, VSB + "/", "--write", str(sources))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "# 综合新闻: 5 rows" in result.stdout and "# 学术动态: 3 rows" in result.stdout
    assert not mirror.requested(VSB + "/info/9/1.htm")  # an article link is no column candidate
    written = yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]
    assert set(written) == {"other", "demo_vsb"}
    crawled = crawl(mirror, tmp_path, "demo_vsb", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert len(list((tmp_path / "demo_vsb").glob("*.md"))) == 15
    again = discover(mirror, tmp_path, VSB + "/", "--write", str(sources))
    assert again.returncode != 0 and "already there" in again.stderr
    assert yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"].keys() == written.keys()


def test_a_walled_home_page_is_reported_as_such(mirror, tmp_path):
    mirror.add(VSB + "/", "", status=412)
    result = discover(mirror, tmp_path, VSB + "/")
    assert result.returncode == 4 and "anti-bot wall" in result.stderr
    assert result.stdout == ""


def test_a_generic_page_whose_main_block_is_a_dated_link_list_is_a_column():
    rows = "".join(f'<li><a href="/news/content_{n}.htm">新闻标题{n}</a><span>2024-05-{n:02d}</span></li>' for n in range(1, 6))
    html = f"""<html><head><title>学院新闻-某某大学</title></head><body><div class="nav"><a href="/">首页</a></div>
    <ul class="newslist">{rows}</ul><div class="side"><a href="/about/">关于</a></div></body></html>"""
    column = read_column(html, "https://www.mm.edu.cn/news/", Candidate("https://www.mm.edu.cn/news/", None, 0))
    assert (column.cms, column.rows, column.title) == ("generic", 5, "学院新闻")
    undated = html.replace("<span>2024-05-", "<span>第")
    assert read_column(undated, "https://www.mm.edu.cn/news/", Candidate("https://www.mm.edu.cn/news/", None, 0)) is None


def test_an_unreadable_home_page_is_reported_and_nothing_written(mirror, tmp_path):
    sources = tmp_path / "sources.yaml"
    result = discover(mirror, tmp_path, "https://www.nowhere.edu.cn/", "--write", str(sources))
    assert result.returncode == 3 and "could not read https://www.nowhere.edu.cn/" in result.stderr
    assert not sources.exists()


def test_column_links_that_redirect_off_the_site_are_refused_and_never_printed(mirror, tmp_path):
    build_webplus_site(mirror.add, "www.demo-wp.edu.cn", "11", articles=25, per_page=10)
    column = mirror.routes[WP + "/11/list.htm"]["body"]  # what each target would serve: a fine column
    targets = {"21": "http://evil.example.com/1/list.htm", "22": "http://localhost:8080/1/list.htm",
               "23": "http://169.254.169.254/latest/meta-data/", "24": "http://127.0.0.1:9/1/list.htm"}
    for col, target in targets.items():
        mirror.add(f"{WP}/{col}/list.htm", b"", status=302, headers={"Location": target})
        mirror.add(target, column)
    mirror.add(WP + "/", webplus_home([("11", "学校要闻"), ("21", "通知公告"), ("22", "学术动态"), ("23", "媒体报道"),
                                       ("24", "校园生活")]))
    result = discover(mirror, tmp_path, WP + "/")
    assert result.returncode == 0, result.stderr[-2000:]
    entry = yaml.safe_load("sources:\n" + result.stdout)["sources"]["demo_wp"]
    assert entry["lists"] == [{"url": WP + "/11/list.htm", "cms": "webplus"}]
    off_site = {urlsplit(target).netloc for target in targets.values()}
    assert not [url for url in mirror.log if urlsplit(url).netloc in off_site]  # not even their robots.txt
    refused = [line for line in result.stderr.splitlines() if "refused" in line]
    assert len(refused) == 4 and all(f"<{WP}/2" in line for line in refused), result.stderr[-2000:]
    assert "redirect to 169.254.169.254 refused (a private or loopback address)" in result.stderr


def test_max_pages_is_the_most_pages_read_the_home_page_included(mirror, tmp_path):
    """README: 'at most `--max-pages N`' pages: the home page is one of them."""
    small_webplus_site(mirror)
    result = discover(mirror, tmp_path, WP + "/", "--max-pages", "2")
    read = [u for u in mirror.requested(WP) if not u.endswith("/robots.txt")]
    assert len(read) == 2, read
    assert "on 2 pages read" in result.stderr, result.stderr[-2000:]
    assert "[--max-pages N]" in scrapy("discover", "--help").stdout
