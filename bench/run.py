"""`make bench`: newscrawl measured on a generated local mirror, side by side with `scrapy bench`.

Generates N articles across WebPlus and VSB columns, serves them on 127.0.0.1 through a forward
proxy, and measures a full crawl, an incremental re-run, extraction alone (against trafilatura),
re-runs against 100,000- and 1,000,000-article states, and `scrapy crawlall` over 100 and 1,000
generated sources on distinct hosts (first run and re-run, and how the cost grows).
The cost to the sites (issue 17), from the mirror's own request log (it answers conditional requests
as WebPlus/VSB servers do): the hourly re-run of the many sources with and without conditional
requests and the robots.txt cache; `-a recheck=1` after two articles were edited; the backfill of a
2,000-row WebPlus column through its list API against its HTML pages.
Prints a table and writes bench/results.json. No network: everything runs on loopback.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import pstats
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT / "tests"))  # the site generator shared with the tests
sys.path.insert(0, str(PROJECT))

from sitegen import (  # noqa: E402
    WEBPLUS_API_PATH, build_vsb_site, build_webplus_site, seed_paragraphs, webplus_article, webplus_list,
)

from newscrawl.state import STATE_FILE_NAME  # noqa: E402

log = logging.getLogger("bench")
HOSTS = [("webplus", "news.bench-a.edu.cn", "501"), ("webplus", "news.bench-a.edu.cn", "502"),
         ("vsb", "www.bench-b.edu.cn", "xwzx/zhxw"), ("vsb", "www.bench-b.edu.cn", "xwzx/tzgg")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MirrorPages:
    """A mirror being written under root (emptied first): each page a file in pages/, and index.json
    mapping every URL to its file (or to an entry of its own) for mirror_server.py."""

    def __init__(self, root: Path):
        if root.exists():
            shutil.rmtree(root)
        (root / "pages").mkdir(parents=True)
        self.root, self.index = root, {}

    def add(self, url: str, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        name = f"pages/{len(self.index):07d}.html"
        (self.root / name).write_text(body, encoding="utf-8")
        self.index[url] = {"file": name, "type": content_type}

    def save(self) -> None:
        (self.root / "index.json").write_text(json.dumps(self.index), encoding="utf-8")


def write_bench_sources(path: Path, lists: list[str]) -> Path:
    """A sources file of the one `bench` source, reading these list pages."""
    path.write_text("sources:\n  bench:\n    school: 基准大学\n    archive: bench.example\n    lists:\n"
                    + "".join(f"      - {u}\n" for u in lists), encoding="utf-8")
    return path


def generate_mirror(root: Path, articles: int) -> tuple[list[str], list[str]]:
    """Write the mirror's pages and index.json; return (list page URLs, article URLs)."""
    mirror = MirrorPages(root)
    per_column = articles // len(HOSTS)
    lists, urls = [], []
    for i, (cms, host, column) in enumerate(HOSTS):
        count = per_column + (articles - per_column * len(HOSTS) if i == 0 else 0)
        if cms == "webplus":
            urls += build_webplus_site(mirror.add, host, column, count, per_page=20, seed=i)
            lists.append(f"http://{host}/{column}/list.htm")
        else:
            made = build_vsb_site(mirror.add, host, column, count, per_page=20, seed=i)
            for url in made:  # the VSB view counter each article asks for
                news_id = url.rsplit("/", 1)[1].split(".")[0]
                mirror.add(f"http://{host}/system/resource/code/news/click/dynclicks.jsp?clickid={news_id}"
                           "&owner=1000&clicktype=wbnews", str(int(news_id) % 1000), "text/html")
            urls += made
            lists.append(f"http://{host}/{column}.htm")
    mirror.save()
    return lists, urls


def generate_many_sources(root: Path, count: int, articles: int = 3) -> Path:
    """`count` WebPlus sources, each on its own host with one list page of `articles` articles.

    Writes the mirror (pages + index.json) and a sources file; returns the sources file.
    """
    mirror = MirrorPages(root)
    lines = ["sources:"]
    for i in range(count):
        host = f"news.u{i:04d}.edu.cn"
        build_webplus_site(mirror.add, host, "xwzx", articles, per_page=20, seed=i)
        lines += [f"  u{i:04d}:", f"    school: 基准大学{i}", "    archive: bench.example", "    cms: webplus",
                  f"    lists: [http://{host}/xwzx/list.htm]"]
    mirror.save()
    sources = root / "sources.yaml"
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sources


class MirrorServer:
    def __init__(self, root: Path):
        self.port = free_port()
        self.log = root / "requests.log"
        self.log.write_text("")
        self.process = subprocess.Popen([sys.executable, str(HERE / "mirror_server.py"), str(root / "index.json"),
                                         str(self.port), "--log", str(self.log)], stdout=subprocess.PIPE)
        self.process.stdout.readline()

    def entries(self) -> list[dict]:
        """The server's own log: method, url, status, body bytes, conditional (see mirror_server.py)."""
        out = []
        for line in self.log.read_text().splitlines():
            method, url, status, size, conditional = line.split("\t")
            out.append({"method": method, "url": url, "status": int(status), "bytes": int(size),
                        "conditional": conditional == "1"})
        return out

    def requests(self) -> list[str]:
        return [e["url"] for e in self.entries()]

    def stop(self):
        self.process.terminate()
        self.process.wait()


def start_server(root: Path, base_env: dict) -> tuple[MirrorServer, dict]:
    """The mirror of root, and base_env with its proxy set (base_env holds no proxy of its own)."""
    server = MirrorServer(root)
    proxy = f"http://127.0.0.1:{server.port}"
    return server, dict(base_env, http_proxy=proxy, https_proxy=proxy, HTTP_PROXY=proxy, HTTPS_PROXY=proxy)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0]}


def run_measured(cmd: list[str], env: dict, cwd: Path) -> dict:
    """Run a command; its wall time, CPU seconds and peak RSS (from wait4, this child only)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr_chunks = []
    # drain stderr so a chatty log cannot block the child
    for line in process.stderr:
        stderr_chunks.append(line)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "exit": process.returncode, "log": "".join(stderr_chunks)}


def crawl_cmd(sources_file: Path, out: Path, state: Path | None = None, profile: Path | None = None,
              command: tuple[str, ...] = ("crawl", "bench"), extra: dict | None = None) -> list[str]:
    """The project's real settings, minus politeness; `command` is the scrapy command and its arguments.

    The sources file goes in NEWSCRAWL_SOURCES_FILE, so a subprocess measures whatever crawlall is today.
    """
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else []) + ["-m", "scrapy"]
    settings = {
        "NEWSCRAWL_SOURCES_FILE": sources_file, "NEWSCRAWL_OUTPUT_DIR": out,
        # the project's real settings, minus politeness: this is loopback
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "LOG_LEVEL": "INFO",
    }
    if state:
        settings["NEWSCRAWL_STATE_PATH"] = state
    settings.update(extra or {})
    cmd = prefix + list(command)
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


SCRAPY_BENCH_MIN_PAGES = 100


def scrapy_bench(env: dict) -> dict:
    """Scrapy's own benchmark (a do-nothing spider on loopback), outside the project's settings.

    Without the mirror's proxy variables: `scrapy bench` serves its own pages on localhost, and
    through the mirror's proxy it got one 404 and nothing to follow. A run of fewer than
    SCRAPY_BENCH_MIN_PAGES pages measured nothing, so it gives no pages/s (and no ratio).
    """
    direct = {k: v for k, v in env.items() if k.lower() not in ("http_proxy", "https_proxy")}
    with tempfile.TemporaryDirectory() as empty:
        run = run_measured([sys.executable, "-m", "scrapy", "bench"], direct, Path(empty))
    pages_found = re.search(r"'response_received_count': (\d+)", run["log"])
    elapsed_found = re.search(r"'elapsed_time_seconds': ([\d.]+)", run["log"])
    pages = int(pages_found.group(1)) if pages_found else 0
    elapsed = float(elapsed_found.group(1)) if elapsed_found else 0.0
    result = {"pages": pages, "elapsed_s": elapsed, "exit": run["exit"]}
    if pages >= SCRAPY_BENCH_MIN_PAGES and elapsed > 0:
        result["pages_per_s"] = pages / elapsed
    else:
        log.warning("scrapy bench crawled %d pages (fewer than %d): not a measurement, no ratio",
                    pages, SCRAPY_BENCH_MIN_PAGES)
    return result


LIST_PAGE_RE = re.compile(r"/list\d*\.htm$|" + re.escape(WEBPLUS_API_PATH) + "$")
# today's behaviour, for comparison: every list page and every robots.txt asked in full each run
TODAY = {"NEWSCRAWL_CONDITIONAL": False, "NEWSCRAWL_ROBOTS_TTL": 0}


def traffic(entries: list[dict]) -> dict:
    """What a run cost the sites, from the server's log: requests by kind, 304s, body bytes sent."""
    robots = [e for e in entries if e["url"].endswith("/robots.txt")]
    lists = [e for e in entries if LIST_PAGE_RE.search(e["url"])]
    return {"requests": len(entries), "robots_requests": len(robots), "list_requests": len(lists),
            "list_conditional": sum(e["conditional"] for e in lists),
            "list_not_modified": sum(e["status"] == 304 for e in lists),
            "other_requests": len(entries) - len(robots) - len(lists),
            "body_bytes": sum(e["bytes"] for e in entries)}


def many_sources(work: Path, counts: list[int], base_env: dict) -> dict:
    """`scrapy crawlall` over N generated sources on N hosts: first run, then the hourly re-run (with
    conditional requests and the robots.txt cache, then as today without them)."""
    results: dict = {}
    for count in counts:
        root = work / f"many-{count}"
        sources = generate_many_sources(root, count)
        server, env = start_server(root, base_env)
        out = root / "out"
        entry: dict = {"sources": count, "articles": count * 3}
        try:
            for phase, extra in (("first_run", {}), ("re_run", {}), ("re_run_today", TODAY)):
                log.info("crawlall over %d sources: %s …", count, phase.replace("_", " "))
                before = len(server.entries())
                run = run_measured(crawl_cmd(sources, out, command=("crawlall",), extra=extra), env, PROJECT)
                cost = traffic(server.entries()[before:])
                entry[phase] = {
                    "wall_s": run["wall_s"], "cpu_s": run["cpu_s"], "peak_rss_mb": run["peak_rss_mb"],
                    "exit": run["exit"], "articles_written": sum(1 for _ in out.glob("*/*.md")), **cost,
                }
                if run["exit"]:
                    log.warning("crawlall over %d sources exited %d: %s", count, run["exit"], run["log"][-500:])
        finally:
            server.stop()
        results[str(count)] = entry
        shutil.rmtree(root, ignore_errors=True)
    if len(counts) >= 2:
        small, large = results[str(min(counts))], results[str(max(counts))]
        results["ratio"] = {
            "of": f"{max(counts)}/{min(counts)}",
            **{f"{phase}_{measure}": large[phase][measure] / small[phase][measure]
               for phase in ("first_run", "re_run") for measure in ("wall_s", "cpu_s")},
        }
    return results


def file_digests(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.md5(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.glob("*.md")}


def recheck_after_edits(work: Path, articles: int, base_env: dict) -> dict:
    """`-a recheck=1` once two archived articles were edited on the site: which files were rewritten,
    what the summary says, and what every other article was answered."""
    root = work / "recheck"
    lists, urls = generate_mirror(root, articles)
    sources = write_bench_sources(root / "sources.yaml", lists)
    out = root / "out"
    server, env = start_server(root, base_env)
    try:
        log.info("re-check: first crawl of %d articles …", len(urls))
        run_measured(crawl_cmd(sources, out), env, PROJECT)
    finally:
        server.stop()
    before = file_digests(out / "bench")
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    edited = [u for u in urls if "/page.htm" in u][:2]  # two WebPlus articles: a correction added to each
    for url in edited:
        page = root / index[url]["file"]
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("<div class='wp_articlecontent'>",
                                     "<div class='wp_articlecontent'><p>更正：报名截止日期延长至六月三十日。</p>", 1),
                        encoding="utf-8")
    server, env = start_server(root, base_env)  # serves the edited pages (with their new validators)
    try:
        log.info("re-check: -a recheck=1 after two edits …")
        run = run_measured(crawl_cmd(sources, out, command=("crawl", "bench", "-a", "recheck=1")), env, PROJECT)
        entries = server.entries()
    finally:
        server.stop()
    after = file_digests(out / "bench")
    from newscrawl.urls import urlname

    rewritten = sorted(name for name in before if after.get(name, ("", 0))[0] != before[name][0])
    touched = sorted(name for name in before if after.get(name) != before[name])
    article_urls = set(urls)
    articles_asked = [e for e in entries if e["url"] in article_urls]
    revised = re.search(r"revised (\d+), withdrawn", run["log"])
    shutil.rmtree(root, ignore_errors=True)
    return {
        "articles": len(urls), "edited": len(edited), "exit": run["exit"], "wall_s": run["wall_s"], "cpu_s": run["cpu_s"],
        "files_rewritten": len(rewritten), "files_touched": len(touched),
        "rewritten_are_the_edited": rewritten == sorted(f"{urlname(u)}.md" for u in edited),
        "summary_revised": int(revised.group(1)) if revised else None,
        "article_requests": len(articles_asked), "article_conditional": sum(e["conditional"] for e in articles_asked),
        "article_not_modified": sum(e["status"] == 304 for e in articles_asked),
        "article_body_bytes": sum(e["bytes"] for e in articles_asked), **{f"run_{k}": v for k, v in traffic(entries).items()},
    }


def backfill_column(work: Path, rows: int, base_env: dict) -> dict:
    """A whole WebPlus column's history read again (-a backfill=1): through its list API, and page by
    page through its HTML list, after a first crawl archived it."""
    root = work / "backfill"
    mirror = MirrorPages(root)
    host, column, listed = "news.backfill.edu.cn", "601", []
    build_webplus_site(mirror.add, host, column, rows, per_page=20, seed=3, rows_out=listed)
    mirror.index[f"http://{host}{WEBPLUS_API_PATH}"] = {"api": "webplus", "rows": listed, "siteId": "7",
                                                        "columnId": column}
    mirror.save()
    sources = root / "sources.yaml"
    sources.write_text("sources:\n  bench:\n    school: 回填大学\n    archive: bench.example\n    cms: webplus\n"
                       f"    lists: [http://{host}/{column}/list.htm]\n", encoding="utf-8")
    out = root / "out"
    server, env = start_server(root, base_env)
    result: dict = {"rows": rows}
    try:
        for phase, args, extra in (("first_crawl", (), {}),
                                   ("backfill_html", ("-a", "backfill=1"), {"NEWSCRAWL_FEEDS": False}),
                                   ("backfill_api", ("-a", "backfill=1"), {})):
            log.info("backfill of a %d-row column: %s …", rows, phase.replace("_", " "))
            before = len(server.entries())
            run = run_measured(crawl_cmd(sources, out, command=("crawl", "bench", *args), extra=extra), env, PROJECT)
            result[phase] = {"exit": run["exit"], "wall_s": run["wall_s"], "cpu_s": run["cpu_s"],
                             "articles_archived": sum(1 for _ in (out / "bench").glob("*.md")),
                             **traffic(server.entries()[before:])}
    finally:
        server.stop()
    shutil.rmtree(root, ignore_errors=True)
    html, api = result["backfill_html"]["list_requests"], result["backfill_api"]["list_requests"]
    result["api_share_of_html_requests"] = api / html if html else None
    return result


FILES_HOST = "news.bench-f.edu.cn"


def generate_files_mirror(root: Path, files: int, size: int) -> tuple[Path, list[str]]:
    """A WebPlus column whose articles carry two attachments each, `size` bytes apiece (made by the server)."""
    mirror = MirrorPages(root)
    texts = seed_paragraphs()
    articles, per_page, file_urls = -(-files // 2), 20, []
    pages = -(-articles // per_page)
    for page in range(1, pages + 1):
        rows = []
        for n in range((page - 1) * per_page, min(articles, page * per_page)):
            path = f"/2025/01{1 + n % 28:02d}/c700a{n + 1}/page.htm"
            attachments = []
            for k in range(min(2, files - 2 * n)):
                url = f"http://{FILES_HOST}/_upload/article/files/{n % 97:02x}/{k}/fujian{n}_{k}.pdf"
                mirror.index[url] = {"generate": 1000 * n + k, "size": size, "type": "application/pdf"}
                attachments.append((url, f"附件{k + 1}.pdf"))
                file_urls.append(url)
            mirror.add(f"http://{FILES_HOST}{path}", webplus_article(f"附件通知{n}", f"2025-01-{1 + n % 28:02d}",
                                                                     texts[n % 10: n % 10 + 3], [], n + 1, attachments))
            rows.append((path, f"附件通知{n}", f"2025-01-{1 + n % 28:02d}"))
        list_url = f"http://{FILES_HOST}/700/list.htm" if page == 1 else f"http://{FILES_HOST}/700/list{page}.htm"
        mirror.add(list_url, webplus_list(rows, f"/700/list{page + 1}.htm" if page < pages else None, page, pages))
    mirror.save()
    return write_bench_sources(root / "sources.yaml", [f"http://{FILES_HOST}/700/list.htm"]), file_urls


def files_scenario(work: Path, files: int, size: int, base_env: dict) -> dict:
    """Keeping `files` attachments of `size` bytes: peak RSS beside the same crawl with files off,
    with WARC captures too, and the re-run (which downloads no file again)."""
    root = work / "files-mirror"
    sources, file_urls = generate_files_mirror(root, files, size)
    server, env = start_server(root, base_env)
    wanted = set(file_urls)
    result: dict = {"files": len(file_urls), "file_size": size}
    try:
        runs = (("files_off", {"NEWSCRAWL_FILES": "off"}), ("files_kept", {"NEWSCRAWL_FILES": "attachments"}),
                ("files_kept_warc", {"NEWSCRAWL_FILES": "attachments", "NEWSCRAWL_WARC_DIR": work / "warc"}))
        for name, extra in runs:
            out = work / f"out-{name}"
            log.info("files: %s …", name.replace("_", " "))
            before = len(server.requests())
            run = run_measured(crawl_cmd(sources, out, extra=extra), env, PROJECT)
            asked = server.requests()[before:]
            kept = [p for p in (out / "files").rglob("*") if p.is_file()] if (out / "files").exists() else []
            result[name] = {"wall_s": run["wall_s"], "cpu_s": run["cpu_s"], "peak_rss_mb": run["peak_rss_mb"],
                            "exit": run["exit"], "file_requests": sum(u in wanted for u in asked),
                            "files_kept": len(kept), "kept_mb": sum(p.stat().st_size for p in kept) / 2**20}
            if run["exit"]:
                log.warning("files crawl %s exited %d: %s", name, run["exit"], run["log"][-800:])
        log.info("files: re-run …")
        before = len(server.requests())
        again = run_measured(crawl_cmd(sources, work / "out-files_kept", extra={"NEWSCRAWL_FILES": "attachments"}),
                             env, PROJECT)
        result["re_run"] = {"wall_s": again["wall_s"], "peak_rss_mb": again["peak_rss_mb"], "exit": again["exit"],
                            "file_requests": sum(u in wanted for u in server.requests()[before:])}
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        for leftover in work.glob("out-files_*"):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.rmtree(work / "warc", ignore_errors=True)
    result["rss_over_files_off_mb"] = result["files_kept"]["peak_rss_mb"] - result["files_off"]["peak_rss_mb"]
    result["rss_over_files_off_with_warc_mb"] = (result["files_kept_warc"]["peak_rss_mb"]
                                                 - result["files_off"]["peak_rss_mb"])
    return result


def print_files(r: dict) -> None:
    f = r.get("files")
    if not f:
        return
    print(f"\nkeeping {f['files']} attachments of {f['file_size'] / 2**20:.0f} MB (one WebPlus column, "
          f"{r['machine']['cpus']} CPUs)")
    print("  | crawl | wall / CPU | peak RSS | files kept (MB) | file requests | exit |")
    print("  |---|---|---|---|---|---|")
    for name, label in (("files_off", "NEWSCRAWL_FILES=off"), ("files_kept", "attachments kept"),
                        ("files_kept_warc", "kept + WARC captures")):
        e = f[name]
        print(f"  | {label} | {e['wall_s']:.1f} s / {e['cpu_s']:.1f} s | {e['peak_rss_mb']:.0f} MB | "
              f"{e['files_kept']} ({e['kept_mb']:.0f}) | {e['file_requests']} | {e['exit']} |")
    a = f["re_run"]
    print(f"  | re-run, files kept | {a['wall_s']:.1f} s | {a['peak_rss_mb']:.0f} MB | | {a['file_requests']} | {a['exit']} |")
    print(f"  peak RSS over the same crawl with files off: {f['rss_over_files_off_mb']:+.0f} MB "
          f"(with WARC {f['rss_over_files_off_with_warc_mb']:+.0f} MB; target <= +50 MB)")


def profile_shares(profile: Path) -> dict:
    """Share of the crawl's profiled time spent in extraction, pipelines and writing files."""
    stats = pstats.Stats(str(profile))
    total = stats.total_tt
    shares: dict[str, float] = {}
    wanted = {
        "extract articles": ("newscrawl/extract/article.py", "extract_article"),
        "extract lists": ("newscrawl/extract/lists.py", "extract_list"),
        "pipelines (all)": ("scrapy/core/scraper.py", "start_itemproc_async"),
        "write files": ("newscrawl/pipelines/write.py", "write_atomically"),
        "state store": ("newscrawl/state/store.py", "record"),
    }
    for label, (path, func) in wanted.items():
        cumulative = sum(v[3] for k, v in stats.stats.items() if k[0].endswith(path) and k[2] == func)
        shares[label] = cumulative / total if total else 0.0
    return shares


def ms_per_page(extract, pages, repeats: int = 3) -> float:
    """Best of `repeats` passes over the pages, in ms per page (the least disturbed pass)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for url, html in pages:
            extract(html, url)
        best = min(best, time.perf_counter() - start)
    return best / len(pages) * 1000


def extraction_speed(pages: list[tuple[str, str]], use_trafilatura: bool, cms: str = "auto") -> dict:
    from newscrawl.extract.article import extract_article

    ours = ms_per_page(lambda html, url: extract_article(html, url, cms), pages)
    result = {"pages": len(pages), "newscrawl_ms": ours}
    if use_trafilatura:
        try:
            import trafilatura
        except ImportError:
            log.warning("trafilatura not installed (pip install -e '.[bench]'): skipped")
            return result
        theirs = ms_per_page(lambda html, url: trafilatura.extract(html, url=url), pages)
        result.update(trafilatura_ms=theirs, speedup=theirs / ours)
    return result


def real_captures(shared: Path) -> list[tuple[str, str]]:
    """(url, html) of the real article pages under ../shared: realpages, captures with facts, and the
    magic-html benchmark's Chinese pages; decoded as the crawl decodes them."""
    from newscrawl.encoding import choose_encoding

    def decode(raw: bytes) -> str:
        encoding, bom = choose_encoding(raw)
        return raw[bom:].decode(encoding, "replace")

    pages = []
    real = shared / "realpages"
    if (real / "index.json").exists():
        for url, entry in json.loads((real / "index.json").read_text(encoding="utf-8")).items():
            if "_list" not in entry["file"]:
                pages.append((url, decode((real / entry["file"]).read_bytes())))
    for facts in sorted((shared / "captures").glob("*/facts.json")):
        for fact in json.loads(facts.read_text(encoding="utf-8")).get("articles", []):
            if not fact.get("page_type"):
                url = fact.get("url") or f"http://capture.example.edu.cn/{Path(fact['file']).stem}.htm"
                pages.append((url, decode((facts.parent / fact["file"]).read_bytes())))
    bench = shared / "benchmarks" / "magic-html-zh"
    if (bench / "pages.json").exists():
        for page in json.loads((bench / "pages.json").read_text(encoding="utf-8"))["pages"]:
            pages.append((page["url"], (bench / page["file"]).read_text(encoding="utf-8")))
    return pages


def grow_state(state: Path, rows: int) -> None:
    """Add made-up articles of another source until the state holds `rows` of them."""
    db = sqlite3.connect(state)
    have = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    db.executemany(
        "INSERT OR IGNORE INTO articles (urlname, url, source, path, fingerprint, published, written_at) "
        "VALUES (?, ?, 'old', ?, ?, NULL, 0)",
        ((f"{i:032x}", f"http://old.example.edu.cn/{i}.htm", f"old/{i:032x}.md", f"{i:032x}") for i in range(rows - have)),
    )
    db.commit()
    db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--state-rows", default="100000,1000000",
                        help="re-run against states of these many articles (comma-separated)")
    parser.add_argument("--many-sources", default="100,1000",
                        help="crawlall over this many generated sources (comma-separated; empty: skip)")
    parser.add_argument("--only-many-sources", action="store_true", help="run only the many-sources scenario")
    parser.add_argument("--files", type=int, default=200, help="attachments kept in the files scenario (0: skip)")
    parser.add_argument("--file-size", type=int, default=5 * 2**20, help="bytes per attachment")
    parser.add_argument("--only-files", action="store_true", help="run only the files scenario")
    parser.add_argument("--only-extraction", action="store_true",
                        help="run only the extraction figures (real captures, generic path) against trafilatura")
    parser.add_argument("--only-site-cost", action="store_true",
                        help="run only what the crawl costs the sites: many sources, re-check, backfill")
    parser.add_argument("--backfill-rows", type=int, default=2000, help="rows of the backfilled WebPlus column")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--no-scrapy-bench", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s")

    work = Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    base_env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
    counts = [int(c) for c in args.many_sources.split(",") if c.strip()]
    if args.only_files:
        results = {"machine": machine(),
                   "files": files_scenario(work, args.files, args.file_size, base_env)}
        args.results.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print_files(results)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.only_extraction:
        results = {"machine": machine()}
        shared = PROJECT.parent / "shared"
        pages = real_captures(shared)
        if pages:
            results["extraction_generic"] = extraction_speed(pages, not args.no_trafilatura, cms="generic")
        args.results.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        for key, e in results.items():
            if key.startswith("extraction"):
                print(f"generic path, real captures ({e['pages']} pages): {e['newscrawl_ms']:.2f} ms per page"
                      + (f" vs trafilatura {e['trafilatura_ms']:.2f} ms = {e['speedup']:.1f}x (target >= 2x)"
                         if "trafilatura_ms" in e else ""))
        return 0
    if args.only_many_sources or args.only_site_cost:
        results = {"machine": machine(),
                   "many_sources": many_sources(work, counts, base_env)}
        if args.only_site_cost:
            results["recheck"] = recheck_after_edits(work, args.articles, base_env)
            results["backfill"] = backfill_column(work, args.backfill_rows, base_env)
        args.results.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print_many_sources(results)
        print_site_cost(results)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    mirror_root = work / "mirror"
    lists, urls = generate_mirror(mirror_root, args.articles)
    log.info("mirror: %d articles, %d columns, in %s", len(urls), len(lists), mirror_root)
    article_urls = set(urls)
    sources = write_bench_sources(work / "sources.yaml", lists)
    server, env = start_server(mirror_root, base_env)
    results: dict = {"articles": len(urls), "machine": machine()}
    try:
        out = work / "out"
        log.info("full crawl …")
        full = run_measured(crawl_cmd(sources, out), env, PROJECT)
        requests = len(server.requests())
        written = len(list((out / "bench").glob("*.md")))
        results["full_crawl"] = {
            "wall_s": full["wall_s"], "cpu_s": full["cpu_s"], "peak_rss_mb": full["peak_rss_mb"],
            "requests": requests, "articles_written": written, "pages_per_s": requests / full["wall_s"],
            "articles_per_s": written / full["wall_s"], "cpu_ms_per_article": full["cpu_s"] / max(written, 1) * 1000,
            "exit": full["exit"],
        }
        if not args.no_scrapy_bench:
            log.info("scrapy bench …")
            results["scrapy_bench"] = scrapy_bench(env)
            if "pages_per_s" in results["scrapy_bench"]:
                results["full_crawl"]["ratio_to_scrapy_bench"] = (
                    results["full_crawl"]["pages_per_s"] / results["scrapy_bench"]["pages_per_s"])

        log.info("incremental re-run …")
        before = len(server.requests())
        again = run_measured(crawl_cmd(sources, out), env, PROJECT)
        asked = server.requests()[before:]
        results["incremental"] = {
            "wall_s": again["wall_s"], "cpu_s": again["cpu_s"], "peak_rss_mb": again["peak_rss_mb"],
            "requests": len(asked), "article_requests": sum(u in article_urls for u in asked), "exit": again["exit"],
        }

        results["incremental_big_state"] = []
        for rows in sorted(int(r) for r in args.state_rows.split(",") if r.strip()):
            log.info("re-run against a %d-article state …", rows)
            grow_state(out / STATE_FILE_NAME, rows)
            before = len(server.requests())
            big = run_measured(crawl_cmd(sources, out), env, PROJECT)
            asked = server.requests()[before:]
            results["incremental_big_state"].append({
                "state_rows": rows, "wall_s": big["wall_s"], "cpu_s": big["cpu_s"],
                "peak_rss_mb": big["peak_rss_mb"], "requests": len(asked),
                "article_requests": sum(u in article_urls for u in asked),
            })

        if not args.no_profile:
            log.info("profiled crawl (for the time shares) …")
            profile = work / "crawl.prof"
            run_measured(crawl_cmd(sources, work / "out-prof", profile=profile), env, PROJECT)
            results["profile_shares"] = profile_shares(profile)
    finally:
        server.stop()

    if counts:
        results["many_sources"] = many_sources(work, counts, base_env)
    results["recheck"] = recheck_after_edits(work, args.articles, base_env)
    results["backfill"] = backfill_column(work, args.backfill_rows, base_env)
    if args.files:
        results["files"] = files_scenario(work, args.files, args.file_size, base_env)

    log.info("extraction alone …")
    index = json.loads((mirror_root / "index.json").read_text())
    mirror_pages = [(u, (mirror_root / index[u]["file"]).read_text(encoding="utf-8")) for u in urls]
    results["extraction_mirror"] = extraction_speed(mirror_pages, not args.no_trafilatura)
    real = PROJECT.parent / "shared" / "realpages"
    if (real / "index.json").exists():
        real_index = json.loads((real / "index.json").read_text(encoding="utf-8"))
        # article captures only: list pages are not what an article extractor is for
        real_pages = [(u, (real / e["file"]).read_text(encoding="utf-8-sig"))
                      for u, e in real_index.items() if "_list" not in e["file"]]
        results["extraction_realpages"] = extraction_speed(real_pages, not args.no_trafilatura)
    generic_pages = real_captures(PROJECT.parent / "shared")
    if generic_pages:
        # the generic path (no template known) on every real article capture: target at most half
        # of trafilatura's time per page
        results["extraction_generic"] = extraction_speed(generic_pages, not args.no_trafilatura, cms="generic")

    args.results.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print_table(results)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(r: dict) -> None:
    rows = []
    f = r["full_crawl"]
    rows += [("full crawl: pages/s", f"{f['pages_per_s']:.1f}"), ("full crawl: articles/s", f"{f['articles_per_s']:.1f}"),
             ("full crawl: requests / articles written", f"{f['requests']} / {f['articles_written']}"),
             ("full crawl: wall s / CPU s", f"{f['wall_s']:.1f} / {f['cpu_s']:.1f}"),
             ("full crawl: CPU ms per article", f"{f['cpu_ms_per_article']:.1f}"),
             ("full crawl: peak RSS MB", f"{f['peak_rss_mb']:.0f}")]
    if "scrapy_bench" in r:
        sb = r["scrapy_bench"]
        if "pages_per_s" in sb:
            rows += [("scrapy bench: pages/s", f"{sb['pages_per_s']:.1f}"),
                     ("ratio to scrapy bench (target >= 0.8)", f"{f['ratio_to_scrapy_bench']:.2f}")]
        else:
            rows.append(("scrapy bench", f"REFUSED: crawled {sb['pages']} pages (< {SCRAPY_BENCH_MIN_PAGES}), no ratio"))
    i = r["incremental"]
    rows += [("re-run: requests (article requests)", f"{i['requests']} ({i['article_requests']})"),
             ("re-run: wall s / CPU s (target <= 3 s wall)", f"{i['wall_s']:.2f} / {i['cpu_s']:.2f}"),
             ("re-run: peak RSS MB", f"{i['peak_rss_mb']:.0f}")]
    for b in r["incremental_big_state"]:
        rows += [(f"re-run, {b['state_rows']:,}-row state: wall s / CPU s", f"{b['wall_s']:.2f} / {b['cpu_s']:.2f}"),
                 (f"re-run, {b['state_rows']:,}-row state: peak RSS MB", f"{b['peak_rss_mb']:.0f}")]
    for key, label, target in (("extraction_mirror", "mirror pages", 5), ("extraction_realpages", "real pages", 5),
                               ("extraction_generic", "generic path, real captures", 2)):
        if key in r:
            e = r[key]
            text = f"{e['newscrawl_ms']:.2f} ms"
            if "trafilatura_ms" in e:
                text += f" vs trafilatura {e['trafilatura_ms']:.2f} ms = {e['speedup']:.1f}x (target >= {target}x)"
            rows.append((f"extraction, {label} ({e['pages']})", text))
    for label, share in r.get("profile_shares", {}).items():
        rows.append((f"profile share: {label}", f"{share * 100:.1f} %"))
    width = max(len(k) for k, _ in rows)
    print(f"\nnewscrawl benchmark, {r['articles']} articles, {r['machine']['cpus']} CPUs, Python {r['machine']['python']}")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    print(f"  (written to {HERE / 'results.json'})")
    print_many_sources(r)
    print_site_cost(r)
    print_files(r)


def print_many_sources(r: dict) -> None:
    many = r.get("many_sources")
    if not many:
        return
    print(f"\nscrapy crawlall over N WebPlus sources on N hosts (1 list page + 3 articles each), "
          f"{r['machine']['cpus']} CPUs")
    print("  | sources | first run: wall / CPU / peak RSS | re-run: wall / CPU / peak RSS | exit codes |")
    print("  |---|---|---|---|")
    for key, e in many.items():
        if key == "ratio":
            continue
        f, a = e["first_run"], e["re_run"]
        print(f"  | {e['sources']:,} | {f['wall_s']:.1f} s / {f['cpu_s']:.1f} s / {f['peak_rss_mb']:.0f} MB "
              f"| {a['wall_s']:.1f} s / {a['cpu_s']:.1f} s / {a['peak_rss_mb']:.0f} MB | {f['exit']}, {a['exit']} |")
        print(f"  |   | {f['requests']} requests, {f['articles_written']} articles written | {a['requests']} requests | |")
    ratio = many.get("ratio")
    if ratio:
        print(f"  ratio {ratio['of']}: first run wall {ratio['first_run_wall_s']:.1f}x, CPU {ratio['first_run_cpu_s']:.1f}x; "
              f"re-run wall {ratio['re_run_wall_s']:.1f}x, CPU {ratio['re_run_cpu_s']:.1f}x (target: re-run <= 12x)")
    largest = many[str(max(int(k) for k in many if k != "ratio"))]
    print(f"  targets at {largest['sources']:,} sources: re-run CPU {largest['re_run']['cpu_s']:.1f} s (<= 15 s), "
          f"peak RSS {max(largest['first_run']['peak_rss_mb'], largest['re_run']['peak_rss_mb']):.0f} MB (<= 250 MB), "
          f"first-run CPU {largest['first_run']['cpu_s']:.1f} s (<= 60 s)")



def print_site_cost(r: dict) -> None:
    """What the crawl costs the sites (issue 17's targets), from the mirror's own request log."""
    many = r.get("many_sources") or {}
    sizes = [int(k) for k in many if k != "ratio"]
    if sizes:
        e = many[str(max(sizes))]
        first, again, today = e["first_run"], e["re_run"], e.get("re_run_today")
        share = again["body_bytes"] / first["body_bytes"] * 100 if first["body_bytes"] else 0.0
        print(f"\nwhat the hourly re-run of {e['sources']:,} unchanged sources costs the sites (server's log)")
        print(f"  robots.txt requests: {again['robots_requests']} (target 0; first run {first['robots_requests']})")
        print(f"  list requests: {again['list_requests']}, conditional {again['list_conditional']}, "
              f"answered 304 {again['list_not_modified']} (target: all)")
        print(f"  body bytes: {again['body_bytes']:,} = {share:.2f} % of the first run's {first['body_bytes']:,} "
              f"(target <= 2 %)")
        if today:
            print(f"  as today (no validators, no robots cache): {today['requests']} requests, "
                  f"{today['body_bytes']:,} body bytes")
            print(f"  CPU: {again['cpu_s']:.1f} s, today's {today['cpu_s']:.1f} s (target: no worse); "
                  f"peak RSS {again['peak_rss_mb']:.0f} MB, today's {today['peak_rss_mb']:.0f} MB")
    c = r.get("recheck")
    if c:
        print(f"\n-a recheck=1 over {c['articles']:,} archived articles after {c['edited']} were edited")
        print(f"  files rewritten: {c['files_rewritten']} (files touched {c['files_touched']}), "
              f"the edited ones: {c['rewritten_are_the_edited']}; summary says revised {c['summary_revised']} "
              f"(target: exactly the 2)")
        print(f"  article requests: {c['article_requests']}, conditional {c['article_conditional']}, "
              f"answered 304 {c['article_not_modified']} (target: all but the {c['edited']}); "
              f"article body bytes {c['article_body_bytes']:,}; exit {c['exit']}")
    b = r.get("backfill")
    if b:
        html, api = b["backfill_html"], b["backfill_api"]
        print(f"\n-a backfill=1 of a {b['rows']:,}-row WebPlus column (articles archived already)")
        print(f"  through its HTML pages: {html['list_requests']} requests, {html['body_bytes']:,} bytes")
        print(f"  through its list API: {api['list_requests']} requests, {api['body_bytes']:,} bytes = "
              f"{b['api_share_of_html_requests'] * 100:.1f} % of the HTML pages' requests (target <= 5 %)")
        first = b["first_crawl"]
        print(f"  (first crawl: {first['list_requests']} list requests, {first['articles_archived']} articles archived)")


if __name__ == "__main__":
    sys.exit(main())
