"""Test support: a loopback forward proxy that serves fixture pages under their real URLs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures")
GOLDEN = Path(__file__).with_name("golden")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


class Mirror:
    """Answers absolute-URI GETs (as a forward proxy sees them) from a routes table; logs them."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.log: list[str] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                mirror.log.append(self.path)
                status, headers, body = mirror.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not here"))
                if callable(body):
                    body = body()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, url: str, body, status: int = 200, content_type: str = "text/html; charset=utf-8", headers=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        self.routes[url] = (status, all_headers, body)

    def add_fixture(self, url: str, name: str, **kwargs):
        self.add(url, (FIXTURES / name).read_bytes(), **kwargs)

    def requested(self, needle: str = "") -> list[str]:
        return [u for u in self.log if needle in u and not u.endswith("/robots.txt")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror():
    m = Mirror()
    yield m
    m.close()


def crawl(mirror: Mirror, out: Path, spider: str, *args: str, settings: dict | None = None, timeout: int = 120):
    """Run `scrapy crawl` for real (engine, downloader, pipelines) through the mirror proxy."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy",)}
    env.update(http_proxy=mirror.url, https_proxy=mirror.url, HTTP_PROXY=mirror.url, HTTPS_PROXY=mirror.url)
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args,
           "-s", f"NEWSCRAWL_OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
           "-s", "RETRY_TIMES=1", "-s", "LOG_LEVEL=INFO", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.05"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)
