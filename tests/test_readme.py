"""Every recipe in the README works as written: each fenced block is run (or loaded) here.

Commands run in a deployment folder (tests/readme.py) through the loopback mirror, with the
project's settings minus politeness; paths a user would choose (/srv/newscrawl, /var/log/…) are
replaced by temporary folders, nothing else. The Hugo command is run by tests/test_hugo.py, whose
checks are made on the site the README's recipe builds.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, Mirror, crawl
from newscrawl.archive import parse_front_matter
from newscrawl.config import load_sources
from readme import block, blocks, commands, deployment
from sitegen import build_webplus_site

# every README block and the test that runs it
CLAIMED = {
    ("Quickstart", "sh", 0): "test_quickstart_make_demo / _make_crawl / _make_test",
    ("Crawling", "sh", 0): "test_crawling_command",
    ("Scheduling with cron", "cron", 0): "test_the_cron_line_*",
    ("Adding a university", "yaml", 0): "test_the_discovered_entry_is_a_sources_entry",
    ("Adding a university", "yaml", 1): "test_the_selectors_entry_reads_whus_templates",
    ("Output", "", 0): "test_the_output_sample_is_what_the_archive_writes",
    ("Publishing with Hugo", "sh", 0): "test_hugo.py (its site is built by this command)",
    ("Publishing with Hugo", "toml", 0): "test_an_existing_site_publishes_the_archive_with_the_mounts",
}


def test_every_readme_block_is_tested():
    found = {b.key for b in blocks()}
    assert found - set(CLAIMED) == set(), "a README block no test runs: add it to CLAIMED and test it"
    assert set(CLAIMED) - found == set(), "a test claims a README block that is gone"


def summary_of(out: Path, name: str) -> dict:
    return json.loads((out / ".newscrawl" / f"{name}.last-crawl.json").read_text(encoding="utf-8"))


def run_line(line: str, cwd: Path, env: dict, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# ---- Crawling ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sites():
    """The pages the README's commands name, on the loopback mirror (unknown URLs answer 404)."""
    mirror = Mirror()
    build_webplus_site(mirror.add, "www.cumt.edu.cn", "19673", articles=6, per_page=3, scheme="https")
    build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "523", articles=3, per_page=3, seed=2)
    build_webplus_site(mirror.add, "jwc.hdu.edu.cn", "ksgl", articles=4, per_page=2, seed=3, scheme="https")
    mirror.add_fixture("http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm", "cumt_xwzx_633142.html")
    mirror.add_fixture("https://www.thepaper.cn/newsDetail_forward_27032070", "thepaper_11541234.html")
    yield mirror
    mirror.close()


CRAWLING = commands(block("Crawling", "sh"))


def configured_lists(name: str) -> set[str]:
    return {lp.url for lp in load_sources()[name].lists}


def check_crawling_line(line: str, done: subprocess.CompletedProcess, requested: list[str], folder: Path):
    out = folder / "output"
    words = shlex.split(line, comments=True)
    if words == ["scrapy", "list"]:
        names = done.stdout.split()
        assert {"article", "site", *load_sources()} == set(names) and "crawlall" not in names
    elif words == ["scrapy", "crawl", "cumt"]:  # its configured list pages, every one of them
        assert configured_lists("cumt") <= set(requested)
        assert summary_of(out, "cumt")["articles_written"] == 9  # the two columns the mirror serves
    elif words == ["scrapy", "crawl", "cumt", "-a", "max_pages=1"]:
        assert "https://www.cumt.edu.cn/19673/list2.htm" not in requested
        assert summary_of(out, "cumt")["articles_written"] == 6  # page 1 of each served column
    elif words[:4] == ["scrapy", "crawl", "cumt", "-a"]:  # lists=…
        assert [u for u in requested if "/list" in u] == [words[4].split("=", 1)[1]]
        assert len(list((out / "cumt").glob("*.md"))) == 3
    elif words[:3] == ["scrapy", "crawl", "article"]:
        assert len(list((out / "cumt").glob("*.md"))) == 1
        assert len((folder / "items.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    elif words[:3] == ["scrapy", "crawl", "site"]:  # an unconfigured host: a folder of its own
        assert len(list((out / "jwc.hdu.edu.cn").glob("*.md"))) == 2
        assert "https://jwc.hdu.edu.cn/ksgl/list2.htm" not in requested
    elif words[:3] == ["scrapy", "crawl", "thepaper"]:
        assert summary_of(out, "thepaper")["articles_written"] == 1
    elif words == ["scrapy", "crawlall"]:  # every configured source, each with its own verdict
        assert {p.name.split(".")[0] for p in (out / ".newscrawl").glob("*.last-crawl.json")} == set(load_sources())
        assert "crawlall: " in done.stderr
        assert summary_of(out, "thepaper")["status"] == "idle"  # no 澎湃号 account configured (Quickstart)
        return
    elif words == ["scrapy", "state"]:
        assert "1 articles archived" in done.stdout and "cumt" in done.stdout
        return
    else:
        pytest.fail(f"no expectation written for the README's line {line!r}")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("line", [line for line in CRAWLING if line.startswith("scrapy")])
def test_crawling_command(sites, tmp_path, line):
    """Each command of the Crawling block, run as written in a fresh project folder (`. .venv/bin/activate` first)."""
    assert CRAWLING[0] == ". .venv/bin/activate"
    env = deployment(tmp_path, proxy=sites.url)
    if line.startswith("scrapy state"):  # it reports on what was crawled: crawl an article first
        run_line(f"{CRAWLING[0]} && {next(c for c in CRAWLING if 'crawl article' in c)}", tmp_path, env)
    before = len(sites.log)
    done = run_line(f"{CRAWLING[0]} && {line}", tmp_path, env)
    requested = [u for u in sites.log[before:] if not u.endswith("/robots.txt")]
    if not line.startswith("scrapy crawlall"):  # the mirror serves few of the configured sources
        assert done.returncode == 0, done.stderr[-3000:]
    check_crawling_line(line, done, requested, tmp_path)


# ---- Scheduling with cron ------------------------------------------------------------------------
CRON_SOURCES = """sources:
  good:
    school: 好大学
    archive: good.example
    lists: [http://news.good.edu.cn/1/list.htm]
  gone:
    school: 坏大学
    archive: gone.example
    lists: [http://news.gone.edu.cn/1/list.htm]
"""


def cron_command(tmp_path: Path) -> tuple[str, Path, dict]:
    """The README's cron line with its folders moved under tmp_path; `mail` records what it is sent."""
    line = commands(block("Scheduling with cron", "cron"))[0]
    fields = line.split(None, 5)
    assert fields[:5] == ["17", "*", "*", "*", "*"]
    project, log, www, bin_dir = tmp_path / "srv", tmp_path / "log", tmp_path / "www", tmp_path / "bin"
    www.mkdir()
    bin_dir.mkdir()
    mail = bin_dir / "mail"
    mail.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/mail.args\ncat >> {tmp_path}/mail.body\n', encoding="utf-8")
    mail.chmod(mail.stat().st_mode | stat.S_IEXEC)
    command = (fields[5].replace("/srv/newscrawl", str(project)).replace("/var/log/newscrawl", str(log))
               .replace("/var/www/html", str(www)))
    return command, project, {"bin": bin_dir}


@pytest.fixture
def cron(tmp_path):
    mirror = Mirror()
    build_webplus_site(mirror.add, "news.good.edu.cn", "1", articles=2, per_page=2)
    command, project, extra = cron_command(tmp_path)
    env = deployment(project, proxy=mirror.url)
    env["PATH"] = os.pathsep.join([str(extra["bin"]), env["PATH"]])
    (tmp_path / "sources.yaml").write_text(CRON_SOURCES, encoding="utf-8")
    env["NEWSCRAWL_SOURCES_FILE"] = str(tmp_path / "sources.yaml")
    yield {"command": command, "env": env, "tmp": tmp_path, "mirror": mirror, "project": project}
    mirror.close()


def test_the_cron_line_mails_a_broken_source_truncates_its_log_and_refreshes_the_report(cron):
    tmp = cron["tmp"]
    (tmp / "log").mkdir()
    first = subprocess.run(["sh", "-c", cron["command"]], env=cron["env"], capture_output=True, text=True, timeout=180)
    assert first.returncode == 0 and first.stdout == "" and first.stderr == "", first.stderr[-2000:]  # cron mails output
    # `gone` is broken (exit 3): the log is mailed, with its subject
    assert (tmp / "mail.args").read_text().split("\n")[0] == "-s newscrawl: a source needs attention you@example.edu.cn"
    body = (tmp / "mail.body").read_text(encoding="utf-8")
    assert "crawl summary for gone: BROKEN" in body and "crawl summary for good: OK" in body
    assert (tmp / "www" / "newscrawl.html").exists()
    # an hour later the source is back: no mail, and the log holds this run only
    build_webplus_site(cron["mirror"].add, "news.gone.edu.cn", "1", articles=1, per_page=1)
    (tmp / "mail.args").unlink()
    second = subprocess.run(["sh", "-c", cron["command"]], env=cron["env"], capture_output=True, text=True,
                            timeout=180)
    assert second.returncode == 0 and second.stderr == "", second.stderr[-2000:]
    assert not (tmp / "mail.args").exists()
    log = (tmp / "log" / "last.log").read_text(encoding="utf-8")
    assert log.count("crawl summary for good") == 1 and "crawl summary for gone: OK" in log


def test_the_cron_line_with_no_log_folder_says_so_in_one_line_and_mails_nothing(cron):
    tmp = cron["tmp"]
    done = subprocess.run(["sh", "-c", cron["command"]], env=cron["env"], capture_output=True, text=True, timeout=180)
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (f"newscrawl: log folder {tmp / 'log'} does not exist (LOG_FILE={tmp / 'log' / 'last.log'}): "
                        f"create it (mkdir -p {tmp / 'log'}) or log elsewhere")
    assert "Traceback" not in done.stderr and not (tmp / "mail.args").exists()
    assert cron["mirror"].log == []  # nothing was crawled


def test_the_cron_line_does_not_mail_when_a_source_is_only_locked(cron):
    from newscrawl.state import locks

    tmp = cron["tmp"]
    (tmp / "log").mkdir()
    locks.acquire(cron["project"] / "output" / ".newscrawl-state.sqlite3", "gone")  # another crawl holds it
    try:
        done = subprocess.run(["sh", "-c", cron["command"]], env=cron["env"], capture_output=True, text=True,
                              timeout=180)
    finally:
        locks.release_file_locks()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "gone is already being crawled" in (tmp / "log" / "last.log").read_text(encoding="utf-8")
    assert not (tmp / "mail.args").exists()  # exit 6: nothing to tell anyone


# ---- Adding a university -------------------------------------------------------------------------
def load_entry(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + text, encoding="utf-8")
    return load_sources(path)


def test_the_discovered_entry_is_a_sources_entry(tmp_path):
    source = load_entry(tmp_path, block("Adding a university", "yaml", 0).text)["whu"]
    assert (source.cms, source.domains, [lp.url for lp in source.lists]) == (
        "vsb", ("whu.edu.cn",), ["https://news.whu.edu.cn/wdzx/wdyw.htm"])


# news.whu.edu.cn's templates as they are built (a 武大要闻 row: picture link, title link, date; an
# article's title, meta line and VSB body), with other stories' links beside them
WHU_LIST = """<html><head><meta charset="utf-8"><title>武大要闻-武汉大学新闻网</title></head><body>
<div class="nav"><ul class="navs flex"><li><a href="../index.htm">首页</a></li><li><a href="../wdzx.htm">武大资讯</a></li></ul></div>
<ul class="wdzxList">""" + "".join(
    f'<li><a href="../info/1002/{n}.htm" class="img"><img src="../images/{n}.jpg"></a><div class="txt">'
    f'<a href="../info/1002/{n}.htm" title="武大要闻第{n}条">武大要闻第{n}条</a><span>2025-03-{n % 28 + 1:02d}</span></div></li>'
    for n in range(70001, 70011)) + """</ul>
<div class="side"><h3>热点关注</h3><ul><li><a href="../info/1003/60001.htm">热点新闻一</a></li>
<li><a href="../info/1003/60002.htm">热点新闻二</a></li></ul></div></body></html>"""
WHU_ARTICLE = """<html><head><meta charset="utf-8"><title>学校召开本科教学工作会议-武汉大学新闻网</title></head><body>
<form name="_newscontent_fromname"><div class="arc-tit"><h1>学校召开本科教学工作会议 </h1></div>
<div class="arc-info flex flexc"><div><span>稿件来源：本科生院</span><span>编辑：严航</span>
<span>发布日期：2025-03-05 16:13</span><span class="ydl">阅读量：</span></div></div>
<div id="vsb_content"><div class="v_news_content"><p>3月5日，学校召开本科教学工作会议，部署新学期本科教学工作。</p>
<p>会议要求各院系把立德树人贯穿教育教学全过程，扎实推进一流本科建设。</p></div></div></form>
<div class="arc-sib"><a href="70002.htm">下一篇：武大要闻第70002条</a></div></body></html>"""


def test_the_selectors_entry_reads_whus_templates(tmp_path):
    """The example's selectors are news.whu.edu.cn's: each one finds its field on pages built like its
    templates (a selector that finds nothing would leave the field to detection, silently)."""
    from parsel import Selector

    from newscrawl.dates import parse_date
    from newscrawl.extract.article import extract_article
    from newscrawl.extract.lists import extract_list

    source = load_entry(tmp_path, block("Adding a university", "yaml", 1).text)["whu"]
    selectors = source.selectors
    assert set(selectors) == {"list_links", "title", "body", "date"} and source.status == "confirmed"
    column = source.lists[0].url
    rows = extract_list(WHU_LIST, column, "auto", selectors["list_links"]).links
    assert rows == [f"https://news.whu.edu.cn/info/1002/{n}.htm" for n in range(70001, 70011)]
    page = Selector(text=WHU_ARTICLE)
    assert page.css(selectors["title"]).xpath("string()").get().strip() == "学校召开本科教学工作会议"
    assert str(parse_date(" ".join(page.css(selectors["date"]).xpath(".//text()").getall()))) == "2025-03-05 16:13:00+08:00"
    assert "部署新学期本科教学工作" in page.css(selectors["body"]).xpath("string()").get()
    article = extract_article(WHU_ARTICLE, "https://news.whu.edu.cn/info/1002/70001.htm", "auto", selectors)
    assert (article.title, str(article.published)) == ("学校召开本科教学工作会议", "2025-03-05 16:13:00+08:00")
    assert article.paragraphs == ["3月5日，学校召开本科教学工作会议，部署新学期本科教学工作。",
                                  "会议要求各院系把立德树人贯穿教育教学全过程，扎实推进一流本科建设。"]


# ---- Output --------------------------------------------------------------------------------------
def test_the_output_sample_is_what_the_archive_writes(mirror, tmp_path):
    sample = block("Output", "").text
    url = "http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"
    mirror.add_fixture(url, "cumt_xwzx_633142.html")
    done = crawl(mirror, tmp_path, "article", "-a", f"url={url}")
    assert done.returncode == 0, done.stderr[-2000:]
    written = next((tmp_path / "cumt").glob("*.md")).read_text(encoding="utf-8")
    # the same front matter keys in the same order, the same layout of the body's end
    sample_keys = [line.split(":")[0] for line in sample.split("---\n")[1].splitlines() if not line.startswith("-")]
    written_keys = [line.split(":")[0] for line in written.split("---\n")[1].splitlines() if not line.startswith("-")]
    assert sample_keys == written_keys
    assert parse_front_matter(written)["urlname"] in written.split("---\n")[1]
    assert sample.rstrip("\n").endswith("[转入文章首发地址](<article URL>)")
    assert written.endswith(f"[转入文章首发地址]({url})") and not written.endswith("\n")


# ---- the README's opening: it "reads anything else with a generic extractor, and says which it used"
def test_the_summary_says_which_extractor_read_the_articles():
    from newscrawl.summary import format_summary, summarize

    summary = summarize({"newscrawl/lists/read": 2, "newscrawl/articles/found": 4, "newscrawl/articles/new": 4,
                         "newscrawl/articles/written": 4, "newscrawl/articles/extracted/webplus": 3,
                         "newscrawl/articles/extracted/generic": 1}, 0.5)
    assert summary["extracted_by"] == {"webplus": 3, "generic": 1}
    assert "\n  extracted as: generic 1, webplus 3\n" in format_summary("cumt", summary)


# ---- Troubleshooting -----------------------------------------------------------------------------
def test_the_broken_verdicts_troubleshooting_quotes_are_the_summarys_words():
    """A user searches the log for the words the README quotes: they are the summary's own."""
    import re

    from newscrawl.summary import summarize

    section = PROJECT.joinpath("README.md").read_text(encoding="utf-8").split("## Troubleshooting", 1)[1]
    quoted = re.findall(r'"([^"]+)"', section.split("\n- **", 2)[1])  # the BROKEN item's quotes

    def problem(**stats):
        return summarize({f"newscrawl/{k.replace('__', '/')}": v for k, v in stats.items()}, 0.5)["problems"][0]

    said = [problem(lists__failed=1, list_errors__http_404=1), problem(lists__failed=1, list_errors__unreachable=1),
            problem(lists__failed=1, list_errors__timeout=1), problem(lists__read=1),
            problem(lists__read=1, articles__found=2, articles__new=2, articles__failed=2, failed__http_404=2),
            problem(lists__read=1, articles__found=2, articles__given_up_earlier=2)]
    assert len(quoted) >= 5
    for quote in quoted:  # N, M: a number; kind …: the kinds counted; …: anything
        pattern = (re.escape(quote).replace(r"kind\ …", r"[a-z_0-9 ,]+").replace("…", ".*")
                   .replace("N", r"\d+").replace("M", r"\d+"))
        assert any(re.search(pattern, line) for line in said), (quote, said)


# ---- Publishing with Hugo ------------------------------------------------------------------------
def test_an_existing_site_publishes_the_archive_with_the_mounts(tmp_path):
    from test_hugo import hugo_binary

    archive = tmp_path / "srv" / "newscrawl" / "output"
    (archive / "cumt").mkdir(parents=True)
    (archive / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6.md").write_text(
        (PROJECT / "tests" / "golden" / "cumt_eff5d2253c36a4d31f8f1cba2bd483d6.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    (archive / "files" / "3f").mkdir(parents=True)
    (archive / "files" / "3f" / "3fa9.pdf").write_bytes(b"%PDF-1.4 kept")
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "about.md").write_text("---\ntitle: 关于本站\n---\n本站收录各校新闻。\n", encoding="utf-8")
    (site / "static").mkdir()
    (site / "static" / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    shutil.copytree(PROJECT / "hugo" / "layouts", site / "layouts")
    mounts = block("Publishing with Hugo", "toml").text.replace("/srv/newscrawl/output", str(archive))
    (site / "hugo.toml").write_text('baseURL = "https://news.example.org/"\ntitle = "某站"\n'
                                    'timeZone = "Asia/Shanghai"\n' + mounts, encoding="utf-8")
    built = subprocess.run([hugo_binary(), "--source", str(site)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (site / "public" / "about" / "index.html").exists()  # the site's own page stayed
    assert (site / "public" / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6" / "index.html").exists()
    assert (site / "public" / "files" / "3f" / "3fa9.pdf").read_bytes() == b"%PDF-1.4 kept"  # at /files/
    assert (site / "public" / "robots.txt").exists() and not (site / "public" / "files" / "index.html").exists()


# ---- Quickstart ----------------------------------------------------------------------------------
QUICKSTART = commands(block("Quickstart", "sh"))


def make(target: str, tmp_path: Path, *variables: str, env: dict | None = None, timeout: int = 300):
    """`make TARGET` in the project, with the virtualenv these tests run in as its .venv: its install
    stamps are files in tmp_path, newer than pyproject.toml, so make installs nothing (no network)."""
    venv = Path(sys.executable).parent.parent
    stamps = []
    for name in ("CRAWL_STAMP", "DEMO_STAMP", "STAMP"):
        stamp = tmp_path / f"stamp-{name}"
        stamp.touch()
        stamps.append(f"{name}={stamp}")
    return subprocess.run(["make", "--no-print-directory", target, f"VENV={venv}", *stamps, *variables],
                          cwd=PROJECT, env=env or dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


def test_quickstart_commands_are_the_make_targets_tested_here():
    assert [line.split("#")[0].split() for line in QUICKSTART] == [["make", "demo"], ["make", "crawl"], ["make", "test"]]


def test_quickstart_make_demo_builds_archive_health_page_and_hugo_site_offline(tmp_path):
    started = time.monotonic()
    done = make("demo", tmp_path, f"DEMO_DIR={tmp_path / 'demo'}", env={
        k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")})
    assert done.returncode == 0, done.stdout[-3000:]
    demo = tmp_path / "demo"
    assert f"archive      {demo / 'output'}/  (42 articles: demo_news 30, demo_tech 12)" in done.stdout
    assert f"health page  {demo / 'health.html'}" in done.stdout
    assert f"Hugo site    {demo / 'site' / 'public' / 'index.html'}" in done.stdout
    assert (demo / "site" / "public" / "demo_news" / "index.html").exists()
    health = (demo / "health.html").read_text(encoding="utf-8")
    assert all(f">{name}</th>" in health for name in ("demo_news", "demo_tech", "demo_moved", "demo_walled"))
    assert "0 of them article pages" in done.stdout  # the re-run fetched no article
    assert "extracted as: webplus 30" in done.stdout and "extracted as: vsb 12" in done.stdout
    assert time.monotonic() - started < 600  # "under a minute" on an idle machine; generous under load


def test_quickstart_make_crawl_installs_only_what_crawling_needs(tmp_path):
    dry = subprocess.run(["make", "--no-print-directory", "-n", "crawl", f"VENV={tmp_path / 'venv'}"], cwd=PROJECT,
                         capture_output=True, text=True, timeout=60)
    installs = [line for line in dry.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [f"{tmp_path / 'venv'}/bin/python -m pip install --quiet -e ."], dry.stdout


def test_quickstart_make_crawl_ends_with_crawlalls_verdict_and_exit_status(tmp_path):
    mirror = Mirror()
    try:
        (tmp_path / "sources.yaml").write_text(CRON_SOURCES, encoding="utf-8")
        build_webplus_site(mirror.add, "news.good.edu.cn", "1", articles=1, per_page=1)
        env = deployment(tmp_path / "deploy", proxy=mirror.url)
        env.update(NEWSCRAWL_SOURCES_FILE=str(tmp_path / "sources.yaml"), README_TEST_OUTPUT_DIR=str(tmp_path / "out"))
        done = make("crawl", tmp_path, env=env, timeout=300)
    finally:
        mirror.close()
    lines = done.stdout.strip().splitlines()
    assert "crawlall: 1 of 2 sources need attention: gone (broken)" in lines[-2]
    assert lines[-1] == "make crawl: crawlall exit status 3 (README: Scheduling with cron)"
    assert not any(line.startswith("make: ***") for line in lines)


def test_quickstart_make_test_runs_this_suite_with_the_test_extra(tmp_path):
    dry = subprocess.run(["make", "--no-print-directory", "-n", "test", f"VENV={tmp_path / 'venv'}"], cwd=PROJECT,
                         capture_output=True, text=True, timeout=60)
    assert f"{tmp_path / 'venv'}/bin/python -m pip install --quiet -e '.[test]'" in dry.stdout
    assert dry.stdout.strip().splitlines()[-1] == f"{tmp_path / 'venv'}/bin/python -m pytest -n 2"


def test_a_symlinked_folder_under_content_is_ignored_by_hugo_as_the_readme_warns(tmp_path):
    """Why the recipe mounts the archive: the old recipe's `ln -s output/cumt content/cumt` built an empty site."""
    from test_hugo import hugo_binary

    archive = tmp_path / "output" / "cumt"
    archive.mkdir(parents=True)
    shutil.copy(PROJECT / "tests" / "golden" / "cumt_eff5d2253c36a4d31f8f1cba2bd483d6.md", archive)
    site = tmp_path / "site"
    shutil.copytree(PROJECT / "hugo" / "layouts", site / "layouts")
    (site / "content").mkdir()
    (site / "content" / "cumt").symlink_to(archive)
    (site / "hugo.toml").write_text('baseURL = "https://a.example/"\ntitle = "x"\n', encoding="utf-8")
    built = subprocess.run([hugo_binary(), "--source", str(site)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0  # and yet:
    assert not (site / "public" / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6").exists()


def test_every_link_of_the_readme_and_the_docs_leads_somewhere():
    import re

    def anchors(path: Path) -> set[str]:
        heads = re.findall(r"(?m)^#+ (.+)$", path.read_text(encoding="utf-8"))
        return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}

    for page in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]:
        prose = re.sub(r"(?s)```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"))  # not code
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if target.startswith(("http://", "https://", "<")):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.exists(), f"{page.name}: {target}"
            if anchor:
                assert anchor in anchors(file), f"{page.name}: {target}"
