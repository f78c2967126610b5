"""Killed at any moment and run again, a crawl ends with every article written exactly once.

The kills land at random points of the crawl's progress (after a random number of article
requests, as the mirror counts them), not after random sleeps: the same points on an idle and on
a loaded machine, and no second spent waiting for nothing.
"""

import random
import signal
import subprocess
import threading

import pytest

from conftest import PROJECT, LineReader, Mirror, crawl, crawl_command, wait_for
from newscrawl.archive import SOURCE_LINK_RE, parse_front_matter
from newscrawl.state import SqliteStateStore
from newscrawl.urls import urlname
from sitegen import build_webplus_site

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/777/list.htm"
ARTICLES = 42


@pytest.fixture
def slow_mirror():
    mirror = Mirror()
    urls = build_webplus_site(mirror.add, HOST, "777", articles=ARTICLES, per_page=14)
    for url in urls:
        mirror.routes[url]["delay"] = 0.01  # a slow server: requests in flight at every kill
    yield mirror, urls
    mirror.close()


def start(mirror, out, *extra, settings=None, stderr=subprocess.DEVNULL):
    cmd, env = crawl_command(mirror, out, "cumt", "-a", f"lists={LIST}", *extra,
                             settings={"CONCURRENT_REQUESTS": 4, **(settings or {})})
    return subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def article_requests(mirror) -> int:
    return len(mirror.requested("/page.htm"))


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
        before = article_requests(mirror)
        process = start(mirror, tmp_path)
        # a random point: from before the first article (list pages, robots.txt) to deep into the column
        point = before + rng.randint(0, ARTICLES // 2)
        wait_for(lambda: article_requests(mirror) >= point or process.poll() is not None,
                 f"{point} article requests")
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
    # the articles answer only as the test lets them: 8, then the SIGTERM, then the ones in flight
    gate = threading.Semaphore(0)
    for url in urls:
        mirror.routes[url]["hold"] = gate
    # no view counters: an article let through is written without a further request
    jobdir = {"JOBDIR": str(tmp_path / "job"), "NEWSCRAWL_VIEWS": 0}
    process = start(mirror, tmp_path, settings=jobdir, stderr=subprocess.PIPE)
    err = LineReader(process.stderr)
    try:
        gate.release(8)
        wait_for(lambda: len(list(tmp_path.glob("cumt/*.md"))) >= 8, "8 articles written", process=process)
        wait_for(lambda: article_requests(mirror) > 8, "a held article request", process=process)
        process.send_signal(signal.SIGTERM)
        wait_for(lambda: err.has("SIGTERM: stopping"), "the 'stopping' line", process=process)
    finally:
        gate.release(ARTICLES)
    assert process.wait(timeout=120) == 5, err.text()[-2000:]  # interrupted: run again to finish
    written_before = len(list((tmp_path / "cumt").glob("*.md")))
    assert 0 < written_before < ARTICLES
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"CONCURRENT_REQUESTS": 4, **jobdir},
                   timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]
    assert_archive_complete(tmp_path, urls)
