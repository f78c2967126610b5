"""Crawls sharing a PostgreSQL state: two machines at once on one source write each article once."""

import re
import subprocess

from conftest import PROJECT, crawl_command
from sitegen import build_webplus_site

ARTICLES = 12


def written(stderr: str) -> int:
    found = re.search(r"'newscrawl/articles/written': (\d+)", stderr)
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
    commands = [crawl_command(mirror, out, "dup", settings={"NEWSCRAWL_SOURCES_FILE": sources}) for out in outs]
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
    assert f"{ARTICLES} articles recorded" in report.stderr and "postgresql://" in report.stderr

    again = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert written(again.stderr) == 0 and again.returncode == 0
