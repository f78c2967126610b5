"""Run history and the health page: state rows, the page's content, and a real browser rendering it."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time

import pytest
from lxml import html as lxml_html

from conftest import Mirror, crawl_command, scrapy
from newscrawl.state.history import run_row
from newscrawl.report import STATUS_COLOUR, render_report
from newscrawl.state import SCHEMA_VERSION, SqliteStateStore
from sitegen import build_webplus_site

DAY = 86400
NOW = 1_780_000_000.0  # a fixed clock for the in-process tests


def run(source, days_ago, status="ok", written=0, problems=()):
    return {"source": source, "started_at": NOW - days_ago * DAY, "duration_s": 2.0, "status": status,
            "exit_code": {"ok": 0, "idle": 0, "broken": 3, "blocked": 4, "interrupted": 5}[status],
            "articles_written": written, "counts": {"articles_written": written}, "failures": {},
            "problems": list(problems)}


def rows_of(page):
    return lxml_html.fromstring(page).xpath("//table[@id='sources']/tbody/tr")


# ---- state -----------------------------------------------------------------------------------
def test_runs_are_recorded_read_back_and_pruned(tmp_path):
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    summary = {"source": "cumt", "status": "broken", "exit_code": 3, "duration_s": 12.5, "articles_written": 2,
               "lists_read": 1, "articles_failed": 7, "http_errors": {"timeout": 3, "http_503": 4},
               "dropped": {}, "problems": ["7 of 9 new articles failed"]}
    store.record_run(**run_row(summary, now=NOW))
    store.record_run(**run(r"other", 500))
    got = store.runs(since=NOW - 10 * DAY)
    assert got == [{"source": "cumt", "started_at": NOW - 12.5, "duration_s": 12.5, "status": "broken",
                    "exit_code": 3, "articles_written": 2,
                    "counts": {"articles_written": 2, "lists_read": 1, "articles_failed": 7},
                    "failures": {"http_errors": {"timeout": 3, "http_503": 4}},
                    "problems": ["7 of 9 new articles failed"]}]
    assert len(store.runs()) == 2
    assert store.prune_runs(NOW - 400 * DAY) == 1
    assert [r["source"] for r in store.runs()] == ["cumt"]


def test_an_older_state_file_gains_the_runs_table(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE articles (urlname TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL, "
               "path TEXT NOT NULL, fingerprint TEXT NOT NULL, published TEXT, written_at REAL NOT NULL)")
    db.execute("INSERT INTO articles VALUES ('u', 'http://x/1', 'cumt', 'cumt/u.md', 'f', NULL, 1)")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    store = SqliteStateStore(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.count() == 1 and store.runs() == []


# ---- the page --------------------------------------------------------------------------------
def test_broken_and_blocked_sources_come_first_with_their_figures():
    runs = [run("zeta", d, "ok", written=2) for d in (40, 20, 6, 1)]
    runs += [run("alpha", 35, "broken"), run("alpha", 30, "ok", 5), run("alpha", 10, "broken"), run("alpha", 9, "interrupted"),
             run("alpha", 8, "broken", problems=["its list pages yielded no article link at all"])]
    runs += [run("mid", 3, "blocked"), run("mid", 2, "blocked")]
    rows = rows_of(render_report(["zeta", "quiet", "mid", "alpha"], runs, now=NOW))
    assert [r.get("data-status") for r in rows] == ["broken", "blocked", "no runs", "ok"]
    assert [r.findtext("th") for r in rows] == ["alpha", "mid", "quiet", "zeta"]
    cells = {r.findtext("th"): [td.text_content() for td in r.findall("td")] for r in rows}
    # the failing streak of alpha began 10 days ago: the interrupted run in between does not end it
    assert cells["alpha"][5] == time.strftime("%Y-%m-%d %H:%M", time.gmtime(NOW - 10 * DAY + 8 * 3600))
    assert cells["alpha"][2] == time.strftime("%Y-%m-%d %H:%M", time.gmtime(NOW - 30 * DAY + 8 * 3600))
    assert "no article link" in cells["alpha"][7]
    assert cells["zeta"][3:6] == ["4", "6", "—"]  # 7 d, 30 d, not failing
    assert cells["quiet"][0] == "no runs"


def test_charts_show_articles_per_day_and_failed_runs_over_90_days():
    runs = [run("s", d, "ok", written=d % 5) for d in range(0, 120)] + [run("s", 3.5, "broken")]
    svg = rows_of(render_report(["s"], runs, now=NOW))[0].find(".//svg")
    bars, failed = svg.find_class("a"), svg.find_class("f")
    assert len(bars) == sum(1 for d in range(90) if d % 5)  # one bar per day with articles, 90 days only
    assert len(failed) == 1 and "1 failed runs" in failed[0].findtext("title")
    tallest = max(bars, key=lambda b: int(b.get("height")))
    assert tallest.findtext("title").endswith(": 4 articles")


def test_page_is_self_contained_and_escapes_what_it_shows():
    page = render_report(["<b>x</b>"], [run("<b>x</b>", 1, "broken", problems=["<script>alert(1)</script>"])], now=NOW)
    doc = lxml_html.fromstring(page)
    assert not doc.xpath("//script | //link | //img | //iframe | //@src")
    assert doc.xpath("//tbody/tr/th")[0].text == "<b>x</b>"
    assert "<script>alert(1)</script>" in doc.find_class("problem")[0].text


# ---- a real crawl, the real command, a real browser ------------------------------------------
def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert found, "no chromium: `make test` installs it (apt-get install chromium)"
    return found


def headless(url: str, *args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        return subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={profile}", *args, url],
            capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


SOURCES = """sources:
  cumt_news:
    school: 中国矿业大学
    archive: cumt.net.cn
    lists: [http://xwzx.cumt.edu.cn/960/list.htm]
  hdu_jwc:
    school: 杭州电子科技大学
    archive: hdu.example.cn
    lists: [http://jwc.hdu.edu.cn/ksgl/list.htm]
  xjtu_nic:
    school: 西安交通大学
    archive: xjtu.example.cn
    lists: [http://nic.xjtu.edu.cn/xwgg.htm]
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """crawlall over one healthy, one broken (list page 404) and one blocked (HTTP 412) source, then the page."""
    mirror = Mirror()
    build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "960", articles=3)
    mirror.add("http://nic.xjtu.edu.cn/xwgg.htm", "", status=412)  # jwc.hdu.edu.cn: every page 404
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    cmd, env = crawl_command(mirror, tmp / "out", "x", settings={"NEWSCRAWL_SOURCES_FILE": tmp / "sources.yaml"})
    cmd[cmd.index("crawl"):cmd.index("crawl") + 2] = ["crawlall"]
    crawled = scrapy(*cmd[3:], env=env)
    mirror.close()
    assert crawled.returncode == 4, crawled.stderr[-3000:]
    out = tmp / "health" / "report.html"
    made = scrapy("report", "--out", out, "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp / 'out'}",
                  "-s", f"NEWSCRAWL_SOURCES_FILE={tmp / 'sources.yaml'}", env=env, timeout=60)
    assert made.returncode == 0, made.stderr[-3000:]
    return {"path": out, "html": out.read_text(encoding="utf-8"), "tmp": tmp}


def test_report_of_a_mirror_crawl_lists_every_source_worst_first(report):
    rows = rows_of(report["html"])
    assert [(r.findtext("th"), r.get("data-status")) for r in rows] == [
        ("hdu_jwc", "broken"), ("xjtu_nic", "blocked"), ("cumt_news", "ok")]
    cells = {r.findtext("th"): [td.text_content() for td in r.findall("td")] for r in rows}
    assert cells["cumt_news"][3:5] == ["3", "3"] and cells["cumt_news"][5] == "—"
    assert cells["hdu_jwc"][2] == "—" and cells["hdu_jwc"][5] != "—"  # never succeeded, failing since its run
    assert "anti-bot" in cells["xjtu_nic"][7]


def test_report_renders_in_a_real_headless_browser(report):
    url = report["path"].resolve().as_uri()
    dom = headless(url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    doc = lxml_html.fromstring(dom.stdout)
    rows = doc.xpath("//table[@id='sources']/tbody/tr")
    assert len(rows) == 3 and all(r.xpath(".//svg[@class='chart']") for r in rows)
    assert rows[2].xpath(".//svg//rect[@class='a']") and rows[0].xpath(".//svg//rect[@class='f']")
    shot = report["tmp"] / "report.png"
    taken = headless(url, f"--screenshot={shot}", "--window-size=1500,420")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    if os.environ.get("NEWSCRAWL_REPORT_SCREENSHOT"):
        shutil.copy(shot, os.environ["NEWSCRAWL_REPORT_SCREENSHOT"])
    from PIL import Image

    colours = {c for _, c in Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)}

    def drawn(hex_colour):
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)) in colours

    # the badges of the three statuses and both kinds of chart marks were painted
    for colour in (STATUS_COLOUR["ok"], STATUS_COLOUR["broken"], STATUS_COLOUR["blocked"], "#1e88e5", "#e53935"):
        assert drawn(colour), colour


def test_files_kept_and_failed_in_the_last_30_days_are_shown():
    runs = [run("s", 40, "ok"), run("s", 20, "ok"), run("s", 2, "ok")]
    runs[0]["counts"] = {"files_kept": 50}  # older than 30 days: not counted
    runs[1]["counts"] = {"files_kept": 7, "files_failed": 2}
    runs[2]["counts"] = {"files_kept": 3}
    cells = [td.text_content() for td in rows_of(render_report(["s"], runs, now=NOW))[0].findall("td")]
    assert cells[-3] == "10 (2 failed)"  # before revised and withdrawn
