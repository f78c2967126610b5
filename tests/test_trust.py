"""Issue 12 regressions: a cron crawl never says OK when it failed, never archives what is not the article."""

from __future__ import annotations

import gzip
import json
import os
import resource
import sqlite3
import stat
import subprocess
import sys

import pytest

from conftest import PROJECT, crawl, live_and_dead_pids, scrapy
from newscrawl.state import SqliteStateStore
from newscrawl.urls import canonical_url, urlname
from sitegen import build_webplus_site, webplus_article

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/881/list.htm"
ARTICLE = f"http://{HOST}/2024/0105/c881a700001/page.htm"
PARAS = ["中国矿业大学召开新闻发布会，介绍学校在能源领域取得的最新研究成果和人才培养情况。",
         "会议指出，学校将继续深化改革，推动学科交叉融合，服务国家重大战略需求。"]


def summary_of(out, name="cumt"):
    return json.loads((out / ".newscrawl" / f"{name}.last-crawl.json").read_text(encoding="utf-8"))


def store_of(out) -> SqliteStateStore:
    return SqliteStateStore(out / ".newscrawl-state.sqlite3")


def mount_tmpfs(path, options):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here: {done.stderr.decode()}")


# ---- 1. failures that ended "OK, exit 0" ---------------------------------------------------------
def test_full_disk_fails_every_article_counted_and_exits_3(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=4, per_page=4)
    out = tmp_path / "full"
    mount_tmpfs(out / "cumt", "size=64k")  # the source's archive folder is on a full disk
    try:
        with open(out / "cumt" / "filler", "wb") as handle:  # leave no room for any article
            try:
                handle.write(b"x" * 200_000)
            except OSError:
                pass
        result = crawl(mirror, out, "cumt", "-a", f"lists={LIST}",
                       settings={"NEWSCRAWL_STATE_PATH": tmp_path / "state.sqlite3"})
        summary = summary_of(out)
    finally:
        subprocess.run(["umount", str(out / "cumt")])
    assert result.returncode == 3, result.stderr[-2000:]
    assert summary["status"] == "broken" and summary["articles_written"] == 0
    assert summary["failed"] == {"write_failed": len(urls)}
    assert summary["articles_failed"] == len(urls)
    failure_lines = [line for line in result.stderr.splitlines() if "article failed (write_failed)" in line]
    assert len(failure_lines) == len(urls) and all("ENOSPC" in line for line in failure_lines)
    assert all(len(line) < 400 for line in result.stderr.splitlines())  # never an item dumped
    assert "Traceback" not in result.stderr
    # and each is queued for a retry
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    assert {row["url"] for row in store.failures("cumt")} == set(urls)
    store.close()


def test_an_extraction_that_raises_is_a_counted_failure_not_a_traceback(tmp_path, monkeypatch):
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    import newscrawl.spiders.base as base
    from newscrawl.spiders.article import ArticleSpider

    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(base, "extract_article", explode)
    crawler = get_crawler(ArticleSpider, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path), "NEWSCRAWL_MAX_ATTEMPTS": 3,
                                          "NEWSCRAWL_STATE_TIMEOUT": 5})
    spider = ArticleSpider.from_crawler(crawler, url=ARTICLE)
    crawler.spider = spider
    request = Request(ARTICLE, meta={"newscrawl_source": "cumt", "newscrawl_kind": "article"})
    response = HtmlResponse(ARTICLE, body=b"<html><body><p>x</p></body></html>", request=request)
    assert list(spider.parse_article(response)) == []
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/failed/extract_failed"] == 1 and stats["newscrawl/articles/failed"] == 1
    assert [row["kind"] for row in spider.store.failures()] == ["extract_failed"]


def test_a_crawl_that_archived_none_of_its_new_articles_is_never_ok():
    from newscrawl.summary import summarize

    stats = {"newscrawl/lists/read": 1, "newscrawl/articles/found": 3, "newscrawl/articles/new": 3,
             "newscrawl/dropped/empty_body": 3}
    assert summarize(stats, 0.5)["status"] == "broken"
    stats = {"newscrawl/lists/read": 1, "newscrawl/articles/found": 40, "newscrawl/articles/new": 40,
             "newscrawl/articles/failed": 1, "newscrawl/failed/write_failed": 1, "newscrawl/articles/written": 0}
    assert summarize(stats, 0.5)["exit_code"] == 3


# ---- 2. failed articles are tried again; reposts are remembered ----------------------------------
def test_failed_article_is_retried_first_next_run_and_its_column_stays_incomplete(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=6, per_page=3)
    victim = urls[4]  # on page 2
    good = dict(mirror.routes[victim])
    mirror.routes[victim] = dict(good, status=503)
    first = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"NEWSCRAWL_MAX_FAILED_SHARE": 0.5})
    assert summary_of(tmp_path)["failed"] == {"http_503": 1}, first.stderr[-2000:]
    store = store_of(tmp_path)
    assert not store.column_complete(LIST)  # an article of it is pending
    store.close()
    mirror.routes[victim] = good
    mirror.log.clear()
    second = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert second.returncode == 0, second.stderr[-2000:]
    summary = summary_of(tmp_path)
    assert summary["articles_retried"] == 1 and summary["articles_written"] == 1
    assert (tmp_path / "cumt" / f"{urlname(victim)}.md").exists()
    store = store_of(tmp_path)
    assert store.failures() == [] and store.column_complete(LIST)
    store.close()


def test_retries_are_bounded(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=3, per_page=3)
    mirror.routes[urls[0]] = dict(mirror.routes[urls[0]], status=404)
    for _ in range(3):
        crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"NEWSCRAWL_MAX_ATTEMPTS": 2})
    assert mirror.requested(urls[0]).count(urls[0]) == 2  # two attempts, then given up
    assert summary_of(tmp_path)["articles_failed"] == 0


def test_a_repost_is_recorded_and_not_fetched_again(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=2, per_page=2)
    mirror.routes[urls[1]] = dict(mirror.routes[urls[0]])  # same text under another URL
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert summary_of(tmp_path)["dropped"] == {"duplicate_content": 1}
    mirror.log.clear()
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert mirror.requested("page.htm") == []


def test_prune_makes_the_next_crawl_fetch_the_article_again(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=6, per_page=3)
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    (tmp_path / "cumt" / f"{urlname(urls[5])}.md").unlink()  # the oldest, on the last page
    state = scrapy("state", "--prune", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", timeout=60)
    assert "forgot 1 articles" in state.stdout
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert (tmp_path / "cumt" / f"{urlname(urls[5])}.md").exists()


# ---- 3. redirects never leave the source --------------------------------------------------------
@pytest.mark.parametrize("target", ["http://evil.example.com/page.htm", "http://127.0.0.1:9/x",
                                    "http://10.0.0.5/x", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_off_the_source_is_refused_and_counted(mirror, tmp_path, target):
    mirror.add(ARTICLE, b"", status=302, headers={"Location": target})
    mirror.add(target, webplus_article("别处的页面", "2024-01-05", PARAS))
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}")
    assert target not in mirror.log
    assert not list(tmp_path.glob("*/*.md"))
    summary = summary_of(tmp_path, "article")
    assert summary["failed"] == {"offsite_redirect": 1}
    assert result.returncode == 3


def test_redirect_within_the_university_is_followed(mirror, tmp_path):
    target = "https://www.cumt.edu.cn/2024/0105/c881a700001/page.htm"
    mirror.add(ARTICLE, b"", status=301, headers={"Location": target})
    mirror.add(target, webplus_article("校内跳转", "2024-01-05", PARAS, images=["img/a.jpg"]))
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}")
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "cumt" / f"{urlname(ARTICLE)}.md").read_text(encoding="utf-8")
    # identity is the linked URL; relative images resolve against the page actually fetched
    assert text.endswith(f"({ARTICLE})")
    assert "(https://www.cumt.edu.cn/2024/0105/c881a700001/img/a.jpg)" in text


# ---- 4. encodings decided from evidence ---------------------------------------------------------
PAGE_TITLE = "矿大举行编码测试大会"


@pytest.mark.parametrize("case", ["utf8_header_over_gbk", "gb2312_meta_over_utf8", "latin1_header_over_gbk",
                                  "lying_utf8_bom_over_gbk"])
def test_lying_encodings_are_decoded_from_evidence(mirror, tmp_path, case):
    html = webplus_article(PAGE_TITLE, "2024-01-05", PARAS)
    if case == "utf8_header_over_gbk":
        body, ctype = html.replace('charset="utf-8"', "").encode("gbk"), "text/html; charset=utf-8"
    elif case == "gb2312_meta_over_utf8":
        body, ctype = html.replace('<meta charset="utf-8">', '<meta charset="gb2312">').encode("utf-8"), "text/html"
    elif case == "latin1_header_over_gbk":
        body, ctype = html.replace('<meta charset="utf-8">', "").encode("gbk"), "text/html; charset=iso-8859-1"
    else:
        body, ctype = b"\xef\xbb\xbf" + html.replace('<meta charset="utf-8">', "").encode("gbk"), "text/html"
    mirror.add(ARTICLE, body, content_type=ctype)
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}")
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "cumt" / f"{urlname(ARTICLE)}.md").read_text(encoding="utf-8")
    assert PAGE_TITLE in text and PARAS[0] in text


def test_text_that_is_still_garbled_is_not_archived_nor_recorded(mirror, tmp_path):
    garbage = "\ufffd\ufffd大学\ufffd\ufffd新闻\ufffd\ufffd" * 20
    mirror.add(ARTICLE, webplus_article("乱码\ufffd\ufffd标题", "2024-01-05", [garbage, garbage]))
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}")
    assert not list(tmp_path.glob("*/*.md"))
    assert summary_of(tmp_path, "article")["failed"] == {"garbled_text": 1}
    assert result.returncode == 3
    store = store_of(tmp_path)
    assert not store.has(urlname(ARTICLE))
    store.close()


# ---- 5. hostile shapes --------------------------------------------------------------------------
def test_a_5000_deep_page_and_a_100000_link_list_are_crawled(mirror, tmp_path):
    deep = "<div>" * 5000 + "深处" + "</div>" * 5000
    page = webplus_article("很深的页面", "2024-01-05", PARAS).replace("</body>", deep + "</body>")
    rows = "".join(f"<li><a href='/2024/0105/c881a{i}/page.htm'>新闻{i}</a></li>" for i in range(100_000))
    listing = f"<html><body><ul class='news_list'>{rows}</ul></body></html>"
    mirror.add(LIST, listing)
    first = f"http://{HOST}/2024/0105/c881a0/page.htm"
    mirror.add(first, page)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}",
                   settings={"NEWSCRAWL_MAX_LINKS_PER_PAGE": 1, "NEWSCRAWL_MAX_FAILED_SHARE": 1})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the crawl's CPU time, not wall time: bounded however loaded the machine is
    assert (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime) < 60
    assert "NEWSCRAWL_MAX_LINKS_PER_PAGE" in result.stderr
    assert (tmp_path / "cumt" / f"{urlname(first)}.md").exists(), result.stderr[-2000:]
    assert summary_of(tmp_path)["link_cap"] == 1


def test_endless_pagination_stops_at_a_repeated_page_and_at_the_page_cap(mirror, tmp_path):
    # every page links to the next with the same rows: stops at the first repeat
    for n in range(1, 30):
        page_url = LIST if n == 1 else f"http://{HOST}/881/list{n}.htm"
        mirror.add(page_url, f"<html><body><ul class='news_list'><li><a href='/2024/0105/c881a1/page.htm'>新闻</a></li>"
                             f"<li><a href='/2024/0105/c881a2/page.htm'>新闻二</a></li></ul>"
                             f"<a href='/881/list{n + 1}.htm'>下一页</a></body></html>")
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert len(mirror.requested("/881/list")) == 2
    assert summary_of(tmp_path)["page_repeat"] == 1


# ---- 7. overlapping runs ------------------------------------------------------------------------
def test_a_second_run_of_a_running_source_exits_at_once_with_its_own_code(mirror, tmp_path):
    from newscrawl.state import locks as lock

    lock.acquire(tmp_path / ".newscrawl-state.sqlite3", "cumt")  # another crawl holds it
    try:
        result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    finally:
        lock.release_file_locks()
    assert result.returncode == 6
    assert result.stderr.strip().splitlines() == [
        "newscrawl: cumt is already being crawled by another process: this run does nothing"]
    assert mirror.log == []


def test_the_temp_sweep_leaves_a_live_crawls_file_alone(tmp_path):
    from newscrawl.pipelines.write import remove_stale_temp_files

    (tmp_path / "cumt").mkdir()
    with live_and_dead_pids() as (live, dead):
        mine = tmp_path / "cumt" / f".a.md.{live}.x1.tmp"
        stale = tmp_path / "cumt" / f".b.md.{dead}.x2.tmp"
        mine.write_text("half")
        stale.write_text("half")
        assert remove_stale_temp_files(tmp_path) == 1
        assert mine.exists() and not stale.exists()


# ---- 8. the body is text, never markup ----------------------------------------------------------
def test_markup_in_page_text_is_escaped_and_ordinary_text_is_unchanged():
    from newscrawl.archive import render_body

    hostile = ["{{< youtube x >}} {{% notice %}} <script>alert(1)</script> <img src=x onerror=alert(1)> <!-- "
               "<!--more--> [x](javascript:alert(1))"]
    body = render_body(hostile, [], "http://a.cn/x")
    assert "<script" not in body and "<img" not in body and "<!--" not in body
    assert "{{<" not in body and "{{%" not in body and "[x](javascript:" not in body
    assert render_body(PARAS, [], "http://a.cn/x") == "\n\n".join(PARAS) + "\n\n[转入文章首发地址](http://a.cn/x)"


# ---- 9. smaller ones ----------------------------------------------------------------------------
def test_gzip_served_ruishu_page_is_recognised(mirror, tmp_path):
    wall = b"<html><head><meta r='m'><script r='m'>$_ts=window['$_ts'];</script></head></html>"
    mirror.add(ARTICLE, gzip.compress(wall), headers={"Content-Encoding": "gzip"})
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}")
    assert result.returncode == 4
    assert not list(tmp_path.glob("*/*.md"))


def test_archive_files_follow_the_umask_and_no_port_is_opened(mirror, tmp_path):
    mirror.add(ARTICLE, webplus_article(PAGE_TITLE, "2024-01-05", PARAS))
    result = crawl(mirror, tmp_path, "article", "-a", f"url={ARTICLE}", "-s", "LOG_LEVEL=DEBUG")
    mode = stat.S_IMODE((tmp_path / "cumt" / f"{urlname(ARTICLE)}.md").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
    assert "Telnet console listening" not in result.stderr and "RemoteControl" not in result.stderr
    assert "RANDOMIZE_DOWNLOAD_DELAY" not in result.stderr


def test_login_pattern_and_url_identity():
    from newscrawl.spiders.base import LOGIN_URL_RE

    assert not any(LOGIN_URL_RE.search(p) for p in ("/professor/1.htm", "/lesson/2.htm", "/association/x.htm"))
    assert all(LOGIN_URL_RE.search(p) for p in ("/sso/login", "/cas/login", "/authserver/x"))
    assert canonical_url("http://a.cn/x?id=1&id=2&utm_source=wx") == "http://a.cn/x?id=1&id=2"


# ---- 10. user errors: one line, exit 1 ----------------------------------------------------------
def run_scrapy(*args, cwd=PROJECT, env=None):
    return scrapy(*args, cwd=cwd, env=env, timeout=60)


@pytest.mark.parametrize("args, message", [
    (["crawl", "nosuchspider"], "unknown spider 'nosuchspider'"),
    (["crawl", "cumt", "-a", "max_pages=abc"], "-a max_pages: expected a whole number"),
    (["crawl", "cumt", "-a", "lists=not-a-url"], "-a lists: not an http(s) URL"),
    (["crawl", "cumt", "-a", "colour=red"], "unknown argument -a colour"),
])
def test_user_errors_are_one_line_and_exit_1(tmp_path, args, message):
    result = run_scrapy(*args, "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr[-2000:]


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  a: [1\n  b: 2\n", encoding="utf-8")
    result = run_scrapy("crawl", "cumt", "-s", f"NEWSCRAWL_SOURCES_FILE={bad}")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newscrawl: config error: {bad}: not valid YAML: line 3, column 4: expected ',' or ']', but got ':'"]


def test_read_only_output_folder_is_one_line(tmp_path):
    out = tmp_path / "ro"
    mount_tmpfs(out, "ro,size=64k")
    try:
        result = run_scrapy("crawl", "cumt", "-s", f"NEWSCRAWL_OUTPUT_DIR={out}",
                            "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 's.sqlite3'}")
    finally:
        subprocess.run(["umount", str(out)])
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newscrawl: output folder {out} is not writable (Read-only file system): fix its permissions or set NEWSCRAWL_OUTPUT_DIR"]


def test_state_file_locked_by_another_process_is_diagnosed_as_such(tmp_path):
    SqliteStateStore(tmp_path / ".newscrawl-state.sqlite3").close()
    holder = sqlite3.connect(tmp_path / ".newscrawl-state.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_scrapy("crawl", "cumt", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", "-s", "NEWSCRAWL_STATE_TIMEOUT=0.2")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "locked by another process" in lines[0] and "move it aside" not in lines[0]


def test_export_with_nothing_new_says_so(mirror, tmp_path):
    build_webplus_site(mirror.add, HOST, "881", articles=2, per_page=2)
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", "-O", str(tmp_path / "items.jsonl"))
    assert "0 items exported: everything was archived already; -a full=1 re-exports" in result.stderr


# ---- 11. what a user reads ----------------------------------------------------------------------
def test_a_run_prints_its_start_and_summary_not_scrapys_dumps(mirror, tmp_path):
    build_webplus_site(mirror.add, HOST, "881", articles=3, per_page=3)
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert result.returncode == 0
    assert "Overridden settings" not in result.stderr and "Dumping Scrapy stats" not in result.stderr
    assert len(result.stderr.splitlines()) < 15, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["cumt"]
    assert {p.suffix for p in (tmp_path / "cumt").iterdir()} == {".md"}
    state = run_scrapy("state", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}")
    assert "3 articles archived" in state.stdout


def test_source_locks_are_independent_and_one_file_serves_them_all(tmp_path):
    from newscrawl.state import locks as lock

    state = tmp_path / ".newscrawl-state.sqlite3"
    for name in ("cumt", "xjtu"):
        lock.acquire(state, name)
    probe = ("import sys; from newscrawl.state import locks as lock\n"
             "for name in sys.argv[2:]:\n"
             "    try:\n        lock.acquire(sys.argv[1], name); print(name, 'free')\n"
             "    except lock.AlreadyRunning:\n        print(name, 'busy')\n")
    try:
        out = subprocess.run([sys.executable, "-c", probe, str(state), "cumt", "xjtu", "uestc"], cwd=PROJECT,
                             capture_output=True, text=True, timeout=30).stdout.split("\n")
    finally:
        lock.release_file_locks()
    assert out[:3] == ["cumt busy", "xjtu busy", "uestc free"]
    assert list(tmp_path.iterdir()) == []  # the locks are on the folder: no file to delete
