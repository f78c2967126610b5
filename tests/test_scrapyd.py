"""Deployment on Scrapyd, end to end: a real scrapyd on 127.0.0.1, scrapyd-deploy's egg, a scheduled crawl."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import PROJECT
from sitegen import build_webplus_site

BIN = Path(sys.executable).parent
LIST = "http://xwzx.cumt.edu.cn/523/list.htm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    # straight to loopback, whatever proxy the environment names
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/{endpoint}", data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(mirror, tmp_path):
    """A scrapyd on a free loopback port, its folders in tmp_path, its jobs sent through the mirror proxy."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "max_proc = 2\npoll_interval = 0.2\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(http_proxy=mirror.url, https_proxy=mirror.url, HTTP_PROXY=mirror.url, HTTPS_PROXY=mirror.url)
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(home / "scrapyd.err", "w"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("scrapyd did not start: " + (home / "scrapyd.err").read_text()[-2000:])
            time.sleep(0.1)
    yield base, home
    process.terminate()
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:  # twistd takes its time; its jobs are finished by now
        process.kill()
        process.wait()


def test_deploy_to_scrapyd_and_crawl_through_the_mirror(mirror, scrapyd, tmp_path):
    base, home = scrapyd
    urls = build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "523", 3)
    # the deploy target lives in the user's scrapy.cfg ($XDG_CONFIG_HOME), next to the project's [deploy]
    config = tmp_path / "config"
    config.mkdir()
    (config / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {base}/\nproject = newscrawl\n", encoding="utf-8")
    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "test", "--version", "r1"], cwd=PROJECT,
                              env=dict(os.environ, XDG_CONFIG_HOME=str(config)), capture_output=True, text=True,
                              timeout=120)
    assert deployed.returncode == 0 and '"status": "ok"' in deployed.stdout, deployed.stderr[-3000:]
    spiders = api(base, "listspiders.json?project=newscrawl")["spiders"]
    assert "cumt" in spiders and "article" in spiders  # sources.yaml travelled inside the egg

    out = tmp_path / "out"
    job = api(base, "schedule.json", [
        ("project", "newscrawl"), ("spider", "cumt"), ("lists", LIST),
        ("setting", f"NEWSCRAWL_OUTPUT_DIR={out}"), ("setting", "DOWNLOAD_DELAY=0"),
        ("setting", "AUTOTHROTTLE_ENABLED=0"),
    ])
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 90
    while not any(j["id"] == job["jobid"] for j in api(base, "listjobs.json?project=newscrawl")["finished"]):
        assert time.monotonic() < deadline, "the scheduled crawl did not finish"
        time.sleep(0.3)
    log = next((home / "logs").rglob(f"{job['jobid']}.log")).read_text(encoding="utf-8")
    written = sorted(p.name for p in (out / "cumt").glob("*.md"))
    assert len(written) == len(urls) == 3, log[-3000:]
    assert "crawl summary for cumt: OK" in log and "written 3" in log
    assert set(mirror.requested("/page.htm")) == set(urls)
