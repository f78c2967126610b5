"""Crawls sharing a PostgreSQL state: two machines at once write each article once; one source runs once."""

import re
import subprocess
import threading

from conftest import PROJECT, crawl_command, wait_for
from sitegen import build_webplus_site

ARTICLES = 12


def written(stderr: str) -> int:
    found = re.search(r"written (\d+), unchanged", stderr)
    return int(found.group(1)) if found else 0


def test_two_crawls_on_one_postgres_state_write_each_article_once(mirror, tmp_path, postgres_url):
    def add(url, body):  # slow article pages, so that the two crawls overlap for real
        mirror.add(url, body, delay=0.1 if "/page.htm" in url else 0)

    urls = build_webplus_site(add, "news.dup.edu.cn", "xw", ARTICLES)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  dup:\n    school: 重复大学\n    archive: dup.example\n    cms: webplus\n"
                       "    lists: [http://news.dup.edu.cn/xw/list.htm]\n", encoding="utf-8")
    # two machines: each its own disk, one database (state from the environment, as a deployment passes it)
    outs = [tmp_path / "machine1", tmp_path / "machine2"]
    # machine 1 crawls the source; machine 2 fetches the same articles by URL at the same time (the
    # `article` spider takes no source lock): the unique urlname claim keeps each written once
    commands = [crawl_command(mirror, outs[0], "dup", settings={"NEWSCRAWL_SOURCES_FILE": sources}),
                crawl_command(mirror, outs[1], "article", "-a", "url=" + ",".join(urls),
                              settings={"NEWSCRAWL_SOURCES_FILE": sources})]
    for _, env in commands:
        env["NEWSCRAWL_STATE_URL"] = postgres_url
    crawls = [subprocess.Popen(cmd, cwd=PROJECT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
              for cmd, env in commands]
    logs = [c.communicate(timeout=120)[1] for c in crawls]
    assert sum(written(log) for log in logs) == ARTICLES, logs[0][-3000:]
    assert sum(len(list((out / "dup").glob("*.md"))) for out in outs) == ARTICLES
    assert sorted(set(mirror.requested("/page.htm"))) == sorted(urls)

    # the state is in PostgreSQL, not in a file, and `scrapy state` reads it there
    cmd, env = commands[0]
    assert not list(outs[0].glob(".newscrawl-state*"))
    state_cmd = [cmd[0], "-m", "scrapy", "state", "-s", f"NEWSCRAWL_OUTPUT_DIR={outs[0]}"]
    report = subprocess.run(state_cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr[-2000:]
    assert f"{ARTICLES} articles archived" in report.stdout and "postgresql://" in report.stdout

    again = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert written(again.stderr) == 0 and again.returncode == 0


def test_a_source_already_running_on_another_machine_is_refused(mirror, tmp_path, postgres_url):
    # the first crawl's articles answer only once the second crawl is over: it runs all along
    hold = threading.Event()

    def add(url, body):
        mirror.add(url, body, hold=hold if "/page.htm" in url else None)

    build_webplus_site(add, "news.once.edu.cn", "xw", 6)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  once:\n    school: 一次大学\n    archive: once.example\n    cms: webplus\n"
                       "    lists: [http://news.once.edu.cn/xw/list.htm]\n", encoding="utf-8")
    commands = [crawl_command(mirror, tmp_path / f"m{i}", "once", settings={"NEWSCRAWL_SOURCES_FILE": sources,
                                                                           "CONCURRENT_REQUESTS": 1})
                for i in (1, 2)]
    for _, env in commands:
        env["NEWSCRAWL_STATE_URL"] = postgres_url
    first = subprocess.Popen(commands[0][0], cwd=PROJECT, env=commands[0][1], stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)
    try:
        # it takes the advisory lock before its first request
        wait_for(lambda: mirror.requested("/page.htm"), "the first crawl's first article request", process=first)
        second = subprocess.run(commands[1][0], cwd=PROJECT, env=commands[1][1], capture_output=True, text=True,
                                timeout=120)
    finally:
        hold.set()
    first_log = first.communicate(timeout=120)[1]
    assert second.returncode == 6, second.stderr[-2000:]
    assert "already being crawled" in second.stderr
    assert first.returncode == 0 and written(first_log) == 6, first_log[-2000:]
