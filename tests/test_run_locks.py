"""Issue 15 item 11: a source's run lock holds whatever is deleted or replaced while its crawl runs."""

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest
from scrapy.settings import Settings

from conftest import PROJECT, crawl, crawl_command
from newscrawl.state import AlreadyRunning, SqliteStateStore, lock_source, release_source_locks
from sitegen import build_webplus_site

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/881/list.htm"
STATE = ".newscrawl-state.sqlite3"
HOLD = ("import sys\nfrom scrapy.settings import Settings\nfrom newscrawl.state import lock_source\n"
        "lock_source(Settings({'NEWSCRAWL_OUTPUT_DIR': sys.argv[1]}), 'cumt')\nprint('held', flush=True)\nsys.stdin.read()\n")


def settings(out) -> Settings:
    return Settings({"NEWSCRAWL_OUTPUT_DIR": str(out)})


def tamper(out, how: str) -> None:
    """What an operator's clean-up (or a restore from backup) does to the files beside a running crawl."""
    for stale in out.glob(".newscrawl-locks*"):
        stale.unlink()  # the lock file of earlier versions
    if how == "state replaced":
        for path in out.glob(STATE + "*"):
            path.rename(out / ("old" + path.name))
        shutil.copy(out / ("old" + STATE), out / STATE)
    elif how == "state deleted":
        for path in out.glob(STATE + "*"):
            path.unlink()


@pytest.mark.parametrize("how", ["lock file deleted", "state replaced", "state deleted"])
def test_the_lock_holds_whatever_is_deleted_or_replaced_beside_it(tmp_path, how):
    SqliteStateStore(tmp_path / STATE).close()
    (tmp_path / ".newscrawl-locks").write_bytes(b"")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=PROJECT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == "held\n"
        tamper(tmp_path, how)
        with pytest.raises(AlreadyRunning):
            lock_source(settings(tmp_path), "cumt")
        lock_source(settings(tmp_path), "xjtu")  # another source is free
    finally:
        release_source_locks()
        holder.stdin.close()
        holder.wait(timeout=30)
    lock_source(settings(tmp_path), "cumt")  # the OS let go when the holder ended
    release_source_locks()


def descriptors_of(path) -> int:
    """This process's open descriptors on path itself."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == os.path.realpath(path)
        except OSError:  # closed meanwhile (the listing's own descriptor among them)
            pass
    return count


def test_one_descriptor_and_no_file_for_thousands_of_sources_and_sqlite_untouched(tmp_path):
    store = SqliteStateStore(tmp_path / STATE)
    assert descriptors_of(tmp_path) == 0
    try:
        for n in range(3000):
            lock_source(settings(tmp_path), f"source_{n}")
        # counted by what they point to: the rest of the process (sockets of earlier tests that the
        # garbage collector closes meanwhile) must not change the count
        assert descriptors_of(tmp_path) == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in tmp_path.glob(STATE + "*"))
        # SQLite's own locks work as before, in this process and in another one
        store.record(urlname="u1", url="http://a.cn/1", source="source_1", path="a/u1.md", fingerprint="f", published="")
        other = sqlite3.connect(tmp_path / STATE, timeout=5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        other.execute("ROLLBACK")
        other.close()
    finally:
        release_source_locks()
        store.close()


def test_a_second_crawl_exits_6_though_the_lock_file_and_the_state_were_swapped_under_the_first(mirror, tmp_path):
    urls = build_webplus_site(mirror.add, HOST, "881", articles=30, per_page=30)
    for url in urls:
        mirror.routes[url]["delay"] = 5.0  # the first crawl runs for minutes, however loaded the machine
    cmd, env = crawl_command(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", settings={"CONCURRENT_REQUESTS": 1})
    first = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not mirror.requested("/page.htm") and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mirror.requested("/page.htm") and first.poll() is None  # it holds its lock and is crawling
        tamper(tmp_path, "state replaced")
        second = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  cumt:\n    school: 中国矿业大学\n    archive: cumt.edu.cn\n    lists: [{LIST}]\n",
                           encoding="utf-8")
        every = subprocess.run([*cmd[:3], "crawlall", *cmd[7:], "-s", f"NEWSCRAWL_SOURCES_FILE={sources}"],
                               cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
        assert first.poll() is None  # the first crawl ran all along
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 6, second.stderr[-2000:]
    assert second.stderr.strip().splitlines() == [
        "newscrawl: cumt is already being crawled by another process: this run does nothing"]
    assert every.returncode == 6 and "cumt is already being crawled by another process: skipped" in every.stderr
