"""Ctrl-C and SIGTERM at any moment of a crawl command end it with exit 5, never with Python's KeyboardInterrupt.

Every wait here is on a condition (a request the mirror holds, a log line, a file the process
opened), never a fixed sleep racing the process: the tests mean the same on an idle and on a
loaded machine.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time

from conftest import PROJECT, LineReader, Mirror, crawl_command, wait_for
from newscrawl.state import SqliteStateStore
from sitegen import build_webplus_site

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/881/list.htm"
STOPPING = "Ctrl-C (SIGINT): stopping"


def start_crawl(mirror: Mirror, out, *args, settings=None):
    cmd, env = crawl_command(mirror, out, "cumt", "-a", f"lists={LIST}", *args,
                             settings={"CONCURRENT_REQUESTS": 1, **(settings or {})})
    process = subprocess.Popen(cmd, cwd=PROJECT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    return process, LineReader(process.stderr)


def held_site(mirror: Mirror):
    """A column of 20 articles whose first article's answer waits for the test: the crawl is mid-request."""
    urls = build_webplus_site(mirror.add, HOST, "881", articles=20, per_page=20)
    hold = threading.Event()
    for url in urls:
        mirror.routes[url]["hold"] = hold
    return urls, hold


def test_first_ctrl_c_says_at_once_that_the_crawl_is_stopping_then_it_ends_interrupted(tmp_path):
    mirror = Mirror()
    urls, hold = held_site(mirror)
    try:
        process, err = start_crawl(mirror, tmp_path)
        wait_for(lambda: mirror.requested("page.htm"), "the crawl's first article request", process=process)
        process.send_signal(signal.SIGINT)
        # said while the article is still being fetched, i.e. before the crawl could end by itself
        wait_for(lambda: err.has(STOPPING), "the 'stopping' line", process=process)
        assert process.poll() is None
        line = next(line for line in err.lines if STOPPING in line)
        assert "again to stop at once" in line and "exit 5" in line
        hold.set()
        assert process.wait(timeout=120) == 5, err.text()[-2000:]
    finally:
        hold.set()
        mirror.close()
    log = err.text()
    assert "crawl summary for cumt: INTERRUPTED" in log
    assert log.index(STOPPING) < log.index("crawl summary for cumt")
    assert "Traceback" not in log and "KeyboardInterrupt" not in log


def test_second_ctrl_c_stops_at_once_and_still_ends_interrupted_with_a_summary(tmp_path):
    mirror = Mirror()
    urls, hold = held_site(mirror)
    try:
        process, err = start_crawl(mirror, tmp_path)
        wait_for(lambda: mirror.requested("page.htm"), "the crawl's first article request", process=process)
        process.send_signal(signal.SIGINT)
        wait_for(lambda: err.has(STOPPING), "the 'stopping' line", process=process)
        process.send_signal(signal.SIGINT)  # the held article has not answered: the crawl cannot have ended
        assert process.wait(timeout=120) == 5, err.text()[-2000:]
    finally:
        hold.set()
        mirror.close()
    log = err.text()
    assert "again: stopping now" in log
    assert "crawl summary for cumt: INTERRUPTED" in log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log


def test_ctrl_c_after_the_summary_while_python_exits_still_ends_with_exit_5(tmp_path):
    """The second Ctrl-C comes after the graceful stop wrote its summary, and keeps coming until the
    process is gone: through Python's own exit, where a signal once met the default handler (exit -2)."""
    mirror = Mirror()
    build_webplus_site(mirror.add, HOST, "881", articles=20, per_page=20)
    try:
        process, err = start_crawl(mirror, tmp_path)
        wait_for(lambda: mirror.requested("page.htm"), "the crawl's first article request", process=process)
        process.send_signal(signal.SIGINT)
        wait_for(lambda: err.has("crawl summary for cumt"), "the summary", process=process)
        sent = 0
        while process.poll() is None:
            try:
                process.send_signal(signal.SIGINT)
            except ProcessLookupError:
                break
            sent += 1
            time.sleep(0.002)
        process.wait(timeout=120)
    finally:
        mirror.close()
    log = err.text()
    assert process.returncode == 5, log[-2000:]
    assert "crawl summary for cumt: INTERRUPTED" in log
    assert "Traceback" not in log


def test_ctrl_c_while_the_command_still_checks_is_exit_5_and_one_line(tmp_path):
    """A signal before the crawl starts (here: while it waits for a state file another process
    holds) ends the command with exit 5 and one line; nothing is crawled."""
    state = tmp_path / ".newscrawl-state.sqlite3"
    SqliteStateStore(state).close()
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    mirror = Mirror()
    build_webplus_site(mirror.add, HOST, "881", articles=2, per_page=2)
    try:
        process, err = start_crawl(mirror, tmp_path, settings={"NEWSCRAWL_STATE_TIMEOUT": 120})

        def waiting_on_the_state():
            try:
                return any(os.readlink(f"/proc/{process.pid}/fd/{fd}") == str(state)
                           for fd in os.listdir(f"/proc/{process.pid}/fd"))
            except OSError:
                return False

        wait_for(waiting_on_the_state, "the crawl to open the locked state file", process=process)
        process.send_signal(signal.SIGINT)
        holder.execute("ROLLBACK")
        assert process.wait(timeout=120) == 5, err.text()[-2000:]
    finally:
        holder.close()
        mirror.close()
    assert err.text().strip().splitlines() == ["newscrawl: interrupted before the crawl started: nothing was crawled"]
    assert mirror.log == []
