"""Killed at any moment and run again, a crawl ends with every article written exactly once."""

import random
import signal
import subprocess
import time

import pytest

from conftest import PROJECT, Mirror, crawl, crawl_command
from newscrawl.archive import SOURCE_LINK_RE, parse_front_matter
from newscrawl.state import SqliteStateStore
from newscrawl.urls import urlname
from sitegen import build_webplus_site

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/777/list.htm"
ARTICLES = 210


@pytest.fixture
def slow_mirror():
    mirror = Mirror()
    urls = build_webplus_site(mirror.add, HOST, "777", articles=ARTICLES, per_page=21)
    for url in urls:
        mirror.routes[url]["delay"] = 0.03  # a slow server, so kills land mid-crawl
    yield mirror, urls
    mirror.close()


def start(mirror, out, *extra, settings=None):
    cmd, env = crawl_command(mirror, out, "cumt", "-a", f"lists={LIST}", *extra,
                             settings={"CONCURRENT_REQUESTS": 4, **(settings or {})})
    return subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def assert_archive_complete(out, urls):
    files = sorted((out / "cumt").glob("*.md"))
    assert {p.stem for p in files} == {urlname(u) for u in urls}  # every article, no other file
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_front_matter(text)["urlname"] == path.stem  # complete front matter
        assert SOURCE_LINK_RE.search(text)  # complete to its last line
    assert not list((out / "cumt").glob(".*.tmp"))
    store = SqliteStateStore(out / ".newscrawl-state.sqlite3")
    assert store.count("cumt") == len(urls)
    store.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_random_points_then_rerun_writes_each_article_once(slow_mirror, tmp_path, seed):
    mirror, urls = slow_mirror
    rng = random.Random(seed)
    for _ in range(3):
        process = start(mirror, tmp_path)
        time.sleep(rng.uniform(1.5, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"CONCURRENT_REQUESTS": 4}, timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]
    assert_archive_complete(tmp_path, urls)
    # and each article page was fetched again only if it had not been written before the kill
    # (at most what was in flight at each kill: CONCURRENT_REQUESTS=4 downloads plus items in the pipelines)
    fetched = [u for u in mirror.log if u.endswith("page.htm")]
    assert len(fetched) <= ARTICLES + 3 * 16


def test_sigterm_with_jobdir_stops_gracefully_and_resumes(slow_mirror, tmp_path):
    mirror, urls = slow_mirror
    jobdir = {"JOBDIR": str(tmp_path / "job")}
    process = start(mirror, tmp_path, settings=jobdir)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("cumt/*.md"))) < 5:  # mid-crawl, however fast this machine is
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 5  # interrupted: run again to finish
    written_before = len(list((tmp_path / "cumt").glob("*.md")))
    assert 0 < written_before < ARTICLES
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"CONCURRENT_REQUESTS": 4, **jobdir},
                   timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]
    assert_archive_complete(tmp_path, urls)
