"""Runs `python -m scrapy ARGS` for the tests in a fork of a process that has Scrapy imported already.

Every test crawl is a real command line in a process of its own (its argv, cwd, environment,
signals, exit status, stdout and stderr), like `subprocess.run([python, "-m", "scrapy", …])`; what
a fork saves is the ~0.5 s of CPU each such process spent importing Scrapy, Twisted, lxml… before
doing anything — most of the suite's time. Nothing is imported here that reads the environment
or installs a reactor (newscrawl.settings, twisted.internet.reactor): the child does that as a
fresh `python -m scrapy` would.

Protocol: one JSON request per line on stdin ({argv, cwd, env, out, err}); two JSON answers on
stdout, {pid} once forked (so a test can kill it) and {returncode} once it ended; out and err are
files the child's stdout and stderr go to.
"""

from __future__ import annotations

import json
import os
import sys


def preload() -> None:
    import lxml.html  # noqa: F401
    import parsel  # noqa: F401
    import scrapy.cmdline  # noqa: F401
    import scrapy.core.downloader.handlers.http11  # noqa: F401
    import scrapy.core.engine  # noqa: F401
    import scrapy.crawler  # noqa: F401
    import scrapy.downloadermiddlewares.cookies  # noqa: F401
    import scrapy.extensions.remote_control  # noqa: F401
    import scrapy.extensions.telnet  # noqa: F401
    import scrapy.http  # noqa: F401
    import scrapy.pipelines  # noqa: F401
    import twisted.internet.asyncioreactor  # noqa: F401  (the module, not the installed reactor)
    import yaml  # noqa: F401

    import newscrawl.config  # noqa: F401
    import newscrawl.extract.article  # noqa: F401
    import newscrawl.middlewares  # noqa: F401
    import newscrawl.pipelines  # noqa: F401
    import newscrawl.summary  # noqa: F401
    assert "newscrawl.settings" not in sys.modules and "twisted.internet.reactor" not in sys.modules


def child(request: dict) -> None:
    """In the fork: become `python -m scrapy ARGV` in CWD with ENV, then exit with its status."""
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.closerange(3, 1 << 12)  # nothing of the server's (its request pipe) leaks into the crawl
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["scrapy", *request["argv"]]
    sys.path[0] = request["cwd"]  # what `python -m` puts first
    code = 0
    try:
        from scrapy.cmdline import execute

        execute()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:  # what an uncaught exception does to `python -m scrapy`
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    sys.path.insert(0, os.getcwd())
    preload()
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"returncode": code}), flush=True)


if __name__ == "__main__":
    main()
