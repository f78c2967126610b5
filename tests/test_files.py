"""Files kept with the articles: a loopback column with attachments and pictures, crawled twice.

Run 1 keeps every good file with its exact bytes, once (two articles share one), leaves the links
of a 404, a login page and a too-large file as the original; run 2 downloads nothing again, retries
the failures, and links a file that has come back into the article that links it.
"""

import hashlib
import json
import sqlite3

import pytest

from conftest import Mirror, crawl
from newscrawl.archive import parse_front_matter
from newscrawl.urls import urlname
from sitegen import seed_paragraphs, vsb_article, vsb_list, webplus_article, webplus_list

WP = "xwzx.cumt.edu.cn"
VSB = "news.cumt.edu.cn"
WP_LIST = f"http://{WP}/960/list.htm"
VSB_LIST = f"http://{VSB}/xwzx/tzgg.htm"
MAXSIZE = 300_000


def blob(seed: str, size: int, head: bytes = b"") -> bytes:
    """Deterministic bytes that no two files share (content-hash naming would merge equal ones)."""
    out = bytearray(head)
    n = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}{n}".encode()).digest()
        n += 1
    return bytes(out[:size])


PDF = blob("pdf", 40_000, b"%PDF-1.7\n")
DOCX = blob("docx", 30_000, b"PK\x03\x04")
XLSX = blob("xlsx", 20_000, b"PK\x03\x04")
BIG = blob("zip", MAXSIZE + 1000, b"PK\x03\x04")
JPG = blob("jpg", 10_000, b"\xff\xd8\xff\xe0")
PNG = blob("png", 12_000, b"\x89PNG\r\n\x1a\n")
LATE = blob("late", 5_000, b"%PDF-1.4\n")
VSB_XLSX = blob("vsbxlsx", 15_000, b"PK\x03\x04")
LINKED = blob("linked", 8_000, b"PK\x03\x04")
BOM_TXT = "\ufeff说明文字<html>不是网页</html>\r\n".encode("utf-8")

F = f"http://{WP}/_upload/article/files"
URLS = {
    "pdf": f"{F}/aa/01/tongzhi.pdf", "docx": f"{F}/aa/02/biao.docx", "xlsx": f"{F}/aa/03/mingdan.xlsx",
    "big": f"{F}/aa/04/ziliao.zip", "gone": f"{F}/aa/05/gone.pdf", "late": f"{F}/aa/06/late.pdf",
    "login": f"{F}/aa/07/neibu.pdf", "txt": f"{F}/aa/08/shuoming.txt",
    "jpg": f"http://{WP}/_upload/article/images/aa/01/photo.jpg",
    "png": f"http://{WP}/_upload/article/images/aa/02/chart.png",
    "vsb": f"http://{VSB}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=9",
    # links of the text with no file extension: one answers with a file, the other with a page
    "link": f"http://{WP}/attach/getfile?id=77", "help": f"http://{WP}/help/download.jsp",
}
ARTICLES = {
    "a1": f"http://{WP}/2025/0301/c960a1/page.htm",
    "a2": f"http://{WP}/2025/0302/c960a2/page.htm",
    "a3": f"http://{WP}/2025/0303/c960a3/page.htm",
    "v1": f"http://{VSB}/info/1960/501.htm",
}


def serve(mirror: Mirror, late_back: bool = False) -> None:
    texts = seed_paragraphs()
    pages = {
        "a1": (["pdf", "docx", "xlsx"], ["jpg"]),
        "a2": (["xlsx", "gone", "big", "txt"], ["png"]),
        "a3": (["late", "login"], []),
    }
    rows = []
    for n, (key, (files, images)) in enumerate(pages.items()):
        url = ARTICLES[key]
        names = [(URLS[f], f"附件{i + 1}：{URLS[f].rsplit('/', 1)[1]}") for i, f in enumerate(files)]
        page = webplus_article(f"带附件的通知{n}", f"2025-03-0{n + 1} 09:00", texts[n * 3:n * 3 + 3],
                               [URLS[i] for i in images], aid=n + 1, attachments=names)
        if key == "a3":
            page = page.replace("</div></div></div></div>", f'<p>请下载<a href="{URLS["link"]}">汇总表</a>，'
                                f'另见<a href="{URLS["help"]}">下载说明</a>。</p></div></div></div></div>', 1)
        mirror.add(url, page)
        rows.append((url.split(WP, 1)[1], f"带附件的通知{n}", f"2025-03-0{n + 1}"))
    mirror.add(WP_LIST, webplus_list(rows, None, 1, 1))
    mirror.add(ARTICLES["v1"], vsb_article("下载名单的通知", "2025-03-05 10:00", texts[10:12], news_id=501,
                                           attachments=[(URLS["vsb"], "名单")]))
    mirror.add(VSB_LIST, vsb_list([("/info/1960/501.htm", "下载名单的通知", "2025-03-05")], [501], None))
    mirror.add(URLS["pdf"], PDF, content_type="application/pdf")
    mirror.add(URLS["docx"], DOCX, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    mirror.add(URLS["xlsx"], XLSX, content_type="application/octet-stream")
    mirror.add(URLS["big"], BIG, content_type="application/zip")
    mirror.add(URLS["txt"], BOM_TXT, content_type="text/plain")
    mirror.add(URLS["jpg"], JPG, content_type="image/jpeg")
    mirror.add(URLS["png"], PNG, content_type="image/png")
    mirror.add(URLS["gone"], b"<html><body>404 Not Found</body></html>", status=404)
    mirror.add(URLS["login"], '<html><form><input type="password" name="p"></form>统一身份认证</html>')
    if late_back:
        mirror.add(URLS["late"], LATE, content_type="application/pdf")
    else:
        mirror.add(URLS["late"], b"not yet", status=404, content_type="text/plain")
    mirror.add(URLS["link"], LINKED, content_type="application/octet-stream",
               headers={"Content-Disposition": 'attachment; filename="huizong.xlsx"'})
    mirror.add(URLS["help"], "<html><body><h1>下载说明</h1></body></html>")
    # VSB's download.jsp names the file only in its answer
    mirror.add(URLS["vsb"], VSB_XLSX, content_type="application/octet-stream",
               headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"})


SETTINGS = {"NEWSCRAWL_FILES": "all", "NEWSCRAWL_FILES_MAXSIZE": MAXSIZE, "NEWSCRAWL_VIEWS": 0}
GOOD = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX, "jpg": JPG, "png": PNG, "txt": BOM_TXT, "vsb": VSB_XLSX,
        "link": LINKED}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    mirror = Mirror()
    serve(mirror)
    out = tmp_path_factory.mktemp("files")
    warc = tmp_path_factory.mktemp("warc")
    settings = dict(SETTINGS, NEWSCRAWL_WARC_DIR=warc)
    feed = out / "run1.jsonl"
    first = crawl(mirror, out, "cumt", "-a", f"lists={WP_LIST},{VSB_LIST}", "-O", str(feed), settings=settings)
    log1 = list(mirror.log)
    markdown1 = {p.name: p.read_bytes() for p in (out / "cumt").glob("*.md")}
    files1 = sorted(p for p in (out / "files").rglob("*") if p.is_file())
    summary1 = json.loads((out / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    mirror.log.clear()
    serve(mirror, late_back=True)
    second = crawl(mirror, out, "cumt", "-a", f"lists={WP_LIST},{VSB_LIST}", settings=settings)
    summary2 = json.loads((out / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    yield {"mirror": mirror, "out": out, "warc": warc, "first": first, "second": second, "log1": log1,
           "log2": list(mirror.log), "markdown1": markdown1, "files1": files1, "summary1": summary1, "summary2": summary2,
           "items": [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]}
    mirror.close()


def article(out, key) -> str:
    return (out / "cumt" / f"{urlname(ARTICLES[key])}.md").read_text(encoding="utf-8")


def kept_path(out, data: bytes, ext: str):
    sha = hashlib.sha256(data).hexdigest()
    return out / "files" / sha[:2] / f"{sha}.{ext}"


def test_run1_keeps_every_good_file_once_with_its_exact_bytes(runs):
    assert runs["first"].returncode == 0, runs["first"].stderr[-3000:]
    out = runs["out"]
    for key, ext in (("pdf", "pdf"), ("docx", "docx"), ("xlsx", "xlsx"), ("jpg", "jpg"), ("png", "png"),
                     ("txt", "txt"), ("vsb", "xlsx"), ("link", "xlsx")):
        assert kept_path(out, GOOD[key], ext).read_bytes() == GOOD[key], key
    stored = runs["files1"]
    assert len(stored) == len(GOOD), stored  # nothing else, no temp file, the shared file once
    assert runs["log1"].count(URLS["xlsx"]) == 1  # linked by two articles, downloaded once


def test_markdown_links_the_kept_copy_and_keeps_the_original_url(runs):
    a1 = article(runs["out"], "a1")
    sha = hashlib.sha256(PDF).hexdigest()
    assert f'[附件1：tongzhi.pdf](/files/{sha[:2]}/{sha}.pdf "{URLS["pdf"]}")' in a1
    sha = hashlib.sha256(JPG).hexdigest()
    assert f'![图](/files/{sha[:2]}/{sha}.jpg "{URLS["jpg"]}")' in a1
    # the shared file: both articles link the one copy
    sha = hashlib.sha256(XLSX).hexdigest()
    assert f'(/files/{sha[:2]}/{sha}.xlsx "{URLS["xlsx"]}")' in article(runs["out"], "a2")


def test_files_not_kept_keep_their_original_link(runs):
    a2 = runs["markdown1"][f"{urlname(ARTICLES['a2'])}.md"].decode()
    assert f"[附件2：gone.pdf]({URLS['gone']})" in a2
    assert f"[附件3：ziliao.zip]({URLS['big']})" in a2
    a3 = runs["markdown1"][f"{urlname(ARTICLES['a3'])}.md"].decode()
    assert f"[附件2：neibu.pdf]({URLS['login']})" in a3  # a login page is not the file


def test_failures_and_limits_are_counted_and_the_run_is_still_ok(runs):
    s = runs["summary1"]
    assert s["status"] == "ok" and s["articles_written"] == 4
    assert s["files_kept"] == 8 and s["files_too_large"] == 1
    assert s["files_failures"] == {"http_404": 2, "not_a_file": 1}  # the page behind a link is no failure
    assert any("3 of 11 files failed" in p for p in s["problems"]), s["problems"]
    assert "files: kept 8" in runs["first"].stderr


def test_json_output_carries_original_url_size_hash_and_type(runs):
    items = {i["url"]: i for i in runs["items"]}
    files = {f["url"]: f for f in items[ARTICLES["v1"]]["files"]}
    vsb = files[URLS["vsb"]]
    sha = hashlib.sha256(VSB_XLSX).hexdigest()
    assert vsb == {"url": URLS["vsb"], "kind": "attachment", "path": f"{sha[:2]}/{sha}.xlsx",
                   "local": f"/files/{sha[:2]}/{sha}.xlsx", "size": len(VSB_XLSX), "sha256": sha,
                   "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    a1 = {f["url"]: f for f in items[ARTICLES["a1"]]["files"]}
    assert a1[URLS["jpg"]]["kind"] == "image" and a1[URLS["jpg"]]["type"] == "image/jpeg"
    assert items[ARTICLES["a1"]]["attachments"][0] == {"url": URLS["pdf"], "name": "附件1：tongzhi.pdf"}


def test_run2_downloads_nothing_again_and_retries_the_failures(runs):
    assert runs["second"].returncode == 0, runs["second"].stderr[-3000:]
    asked = [u for u in runs["log2"] if not u.endswith("robots.txt")]
    assert sorted(asked) == sorted([WP_LIST, VSB_LIST, URLS["gone"], URLS["late"], URLS["login"]])
    s = runs["summary2"]
    assert (s["files_retried"], s["files_kept"], s["files_failed"], s["files_relinked"]) == (3, 1, 2, 1)


def test_a_file_kept_on_a_later_run_is_linked_into_its_article(runs):
    a3 = article(runs["out"], "a3")
    sha = hashlib.sha256(LATE).hexdigest()
    assert f'[附件1：late.pdf](/files/{sha[:2]}/{sha}.pdf "{URLS["late"]}")' in a3
    assert kept_path(runs["out"], LATE, "pdf").read_bytes() == LATE
    # the rest of the file is what run 1 wrote
    before = runs["markdown1"][f"{urlname(ARTICLES['a3'])}.md"].decode()
    assert a3 == before.replace(f"]({URLS['late']})", f'](/files/{sha[:2]}/{sha}.pdf "{URLS["late"]}")')


def test_state_records_every_file(runs):
    db = sqlite3.connect(runs["out"] / ".newscrawl-state.sqlite3")
    rows = dict(db.execute("SELECT url, status FROM files").fetchall())
    assert rows[URLS["gone"]] == "failed" and rows[URLS["big"]] == "too_large" and rows[URLS["late"]] == "kept"
    attempts = dict(db.execute("SELECT url, attempts FROM files WHERE status='failed'").fetchall())
    assert attempts == {URLS["gone"]: 2, URLS["login"]: 2}
    links = db.execute("SELECT COUNT(*) FROM file_links WHERE url=?", (URLS["xlsx"],)).fetchone()[0]
    assert links == 2
    db.close()


def test_front_matter_is_untouched(runs):
    front = parse_front_matter(article(runs["out"], "a1"))
    assert front["urlname"] == urlname(ARTICLES["a1"])


# ---- raw captures and reextract (the fixture's crawls write NEWSCRAWL_WARC_DIR) -----------------
def warc_responses(folder):
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    out.append((record.rec_headers.get_header("Newscrawl-Kind"),
                                record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()))
    return out


def test_warc_holds_every_article_page_and_every_kept_file(runs):
    folder = runs["warc"]
    assert not list(folder.glob("*.open")) and len(list(folder.glob("*.warc.gz"))) == 2  # one per run, finished
    records = warc_responses(folder)
    assert {u for k, u, _ in records if k == "article"} == set(ARTICLES.values())
    bodies = {u: b for k, u, b in records if k == "file"}
    for key, data in GOOD.items():
        assert bodies[URLS[key]] == data, key
    assert bodies[URLS["late"]] == LATE  # kept by run 2, captured by run 2
    assert URLS["gone"] not in bodies and URLS["big"] not in bodies


def reextract(out, warc, *args, warc_option: bool = True):
    import os
    import subprocess
    import sys

    from conftest import PROJECT

    # no proxy, and the mirror is closed: anything fetched would fail
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    # the WARC folder as `--warc DIR`, or as the crawls set it (docs/files.md: `scrapy reextract` alone)
    where = ["--warc", str(warc)] if warc_option else ["-s", f"NEWSCRAWL_WARC_DIR={warc}"]
    cmd = [sys.executable, "-m", "scrapy", "reextract", *args, *where, "-s", f"NEWSCRAWL_OUTPUT_DIR={out}",
           "-s", "NEWSCRAWL_FILES=all", "-s", f"NEWSCRAWL_FILES_MAXSIZE={MAXSIZE}", "-s", "LOG_LEVEL=INFO"]
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def replayed(runs, tmp_path_factory):
    runs["mirror"].close()
    fresh = tmp_path_factory.mktemp("fresh")
    return {"fresh": fresh, "result": reextract(fresh, runs["warc"], "cumt")}


def test_reextract_with_the_server_stopped_rebuilds_the_archive_byte_for_byte(runs, replayed):
    result, fresh, out = replayed["result"], replayed["fresh"], runs["out"]
    assert result.returncode == 0, result.stderr[-3000:]
    archive = {p.name: p.read_bytes() for p in (out / "cumt").glob("*.md")}
    rebuilt = {p.name: p.read_bytes() for p in (fresh / "cumt").glob("*.md")}
    assert rebuilt == archive
    kept = {p.relative_to(out): p.read_bytes() for p in (out / "files").rglob("*") if p.is_file()}
    restored = {p.relative_to(fresh): p.read_bytes() for p in (fresh / "files").rglob("*") if p.is_file()}
    assert restored == kept  # the kept files come back from their captures too
    assert "reextract cumt: 4 archive files rewritten, 0 unchanged" in result.stdout


def test_reextract_rewrites_only_the_files_whose_content_changed(runs, replayed):
    out = runs["out"]
    target = out / "cumt" / f"{urlname(ARTICLES['a2'])}.md"
    good = target.read_bytes()
    target.write_bytes(good.replace("带附件的通知1".encode(), "旧的抽取结果".encode()))
    others = {p.name: p.stat().st_mtime_ns for p in (out / "cumt").glob("*.md") if p != target}
    result = reextract(out, runs["warc"], warc_option=False)  # the WARC folder the crawls wrote: NEWSCRAWL_WARC_DIR
    assert result.returncode == 0, result.stderr[-3000:]
    assert target.read_bytes() == good
    assert {p.name: p.stat().st_mtime_ns for p in (out / "cumt").glob("*.md") if p != target} == others
    assert "reextract cumt: 1 archive files rewritten, 3 unchanged" in result.stdout


# ---- files off: today's output, byte for byte ----------------------------------------------------
SEED_000_URL = "http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"
SEED_000_FILE = "eff5d2253c36a4d31f8f1cba2bd483d6.md"


def test_with_files_off_the_archive_and_the_export_are_exactly_todays(mirror, tmp_path):
    from conftest import GOLDEN
    from newscrawl.items import EXPORT_FIELDS

    mirror.add_fixture(SEED_000_URL, "cumt_xwzx_633142.html")
    feed = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "article", "-a", f"url={SEED_000_URL}", "-O", str(feed),
                   settings={"NEWSCRAWL_FILES": "off"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "cumt" / SEED_000_FILE).read_bytes() == (GOLDEN / f"cumt_{SEED_000_FILE}").read_bytes()
    assert list(json.loads(feed.read_text(encoding="utf-8"))) == EXPORT_FIELDS
    assert not (tmp_path / "files").exists()
    assert not [u for u in mirror.log if "/_upload/" in u]  # no picture fetched


def test_pictures_that_cannot_be_kept_leave_the_article_as_it_was(mirror, tmp_path):
    from conftest import GOLDEN

    mirror.add_fixture(SEED_000_URL, "cumt_xwzx_633142.html")  # its 10 pictures all answer 404
    result = crawl(mirror, tmp_path, "article", "-a", f"url={SEED_000_URL}", settings={"NEWSCRAWL_FILES": "all"})
    assert (tmp_path / "cumt" / SEED_000_FILE).read_bytes() == (GOLDEN / f"cumt_{SEED_000_FILE}").read_bytes()
    assert result.returncode == 3 and "all 10 files failed (http_404 10)" in result.stderr  # not OK


def test_a_wrong_files_setting_stops_the_crawl_with_one_line(mirror, tmp_path):
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={WP_LIST}", settings={"NEWSCRAWL_FILES": "pictures"})
    assert result.returncode == 1
    assert result.stderr.strip() == ("newscrawl: NEWSCRAWL_FILES must be one of off, attachments, all, "
                                     "not 'pictures'")
    assert mirror.log == []


def test_a_link_whose_answer_is_a_file_is_kept_as_an_attachment(runs):
    a3 = runs["markdown1"][f"{urlname(ARTICLES['a3'])}.md"].decode()
    sha = hashlib.sha256(LINKED).hexdigest()
    assert f'请下载[汇总表](/files/{sha[:2]}/{sha}.xlsx "{URLS["link"]}")，另见下载说明。' in a3
    items = {i["url"]: i for i in runs["items"]}
    assert {"url": URLS["link"], "name": "汇总表"} in items[ARTICLES["a3"]]["attachments"]
    assert runs["log1"].count(URLS["help"]) == 1 and URLS["help"] not in runs["log2"]  # asked once


# ---- killed mid-download: nothing half-written, everything kept once after the next run ----------
def test_a_crawl_killed_while_keeping_files_leaves_nothing_half_written(mirror, tmp_path):
    import signal
    import subprocess
    import time

    from warcio.archiveiterator import ArchiveIterator

    from conftest import PROJECT, crawl_command

    texts = seed_paragraphs()
    rows, files = [], {}
    for n in range(24):
        url = f"http://{WP}/2025/04{n + 1:02d}/c970a{n + 1}/page.htm"
        href = f"{F}/kill/{n}/fujian.pdf"
        files[href] = blob(f"kill{n}", 150_000, b"%PDF-1.5\n")
        mirror.add(url, webplus_article(f"附件{n}", "2025-04-01", texts[n % 9:n % 9 + 2], [], n + 1, [(href, f"附件{n}.pdf")]))
        mirror.add(href, files[href], content_type="application/pdf", delay=0.2)  # slow: the kill lands mid-crawl
        rows.append((url.split(WP, 1)[1], f"附件{n}", "2025-04-01"))
    listing = f"http://{WP}/970/list.htm"
    mirror.add(listing, webplus_list(rows, None, 1, 1))
    warc = tmp_path / "warc"
    settings = {"NEWSCRAWL_WARC_DIR": warc, "NEWSCRAWL_VIEWS": 0}
    cmd, env = crawl_command(mirror, tmp_path / "out", "cumt", "-a", f"lists={listing}", settings=settings)
    process = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # killed once some files are kept and more are on their way (a condition, not a timer)
    while len(list((tmp_path / "out" / "files").glob("*/*.pdf"))) < 4 and process.poll() is None:
        assert time.monotonic() < deadline, "no file was kept"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = crawl(mirror, tmp_path / "out", "cumt", "-a", f"lists={listing}", settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]
    kept = {p.name: p.read_bytes() for p in (tmp_path / "out" / "files").rglob("*") if p.is_file()}
    assert sorted(kept.values()) == sorted(files.values())  # each file whole, once, no temp file left
    for path in (tmp_path / "out" / "cumt").glob("*.md"):
        assert '(/files/' in path.read_text(encoding="utf-8")
    assert "left open by an interrupted crawl" in result.stderr  # the killed run's complete records kept
    assert not list(warc.glob("*.open"))
    captured = []
    for path in warc.glob("*.warc.gz"):
        with open(path, "rb") as handle:  # every finished file reads to its end
            captured += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)
                         if r.rec_type == "response" and r.rec_headers.get_header("Newscrawl-Kind") == "file"]
    assert set(files) <= set(captured)
