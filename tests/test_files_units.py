"""Kept files and raw captures, in-process: what is a file and how it is named, the verdict, WARC files."""

import gzip
from io import BytesIO

import pytest
from scrapy.http import Headers
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

from newscrawl import filekinds
from newscrawl.archive import render_body
from newscrawl.summary import EXIT_BROKEN, EXIT_OK, summarize
from newscrawl.warc import WarcFiles, salvage


def h(**values) -> Headers:
    return Headers({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize("url, headers, ext", [
    ("http://a.cn/_upload/article/files/1/x.PDF", h(Content_Type="application/pdf"), "pdf"),
    ("http://a.cn/system/_content/download.jsp?wbfileid=9", h(Content_Type="application/octet-stream",
     Content_Disposition="attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"), "xlsx"),
    ("http://a.cn/download.jsp?id=1", h(Content_Disposition='attachment; filename="table.DOCX"'), "docx"),
    ("http://a.cn/getfile?id=1", h(Content_Type="application/vnd.ms-excel"), "xls"),
    ("http://a.cn/pic?id=1", h(Content_Type="image/jpeg"), "jpg"),
    ("http://a.cn/blob", h(), "bin"),
])
def test_a_kept_file_is_named_by_the_answer_first_then_the_url_then_its_type(url, headers, ext):
    assert filekinds.file_extension(url, headers) == ext


def test_the_type_comes_from_the_answer_unless_it_says_nothing():
    assert filekinds.file_type(h(Content_Type="application/pdf; charset=x"), "pdf") == "application/pdf"
    assert filekinds.file_type(h(Content_Type="application/octet-stream"), "xlsx") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert filekinds.file_type(h(), "jpg") == "image/jpeg"


@pytest.mark.parametrize("url, headers, head, is_file", [
    ("http://a.cn/x.pdf", h(Content_Type="application/pdf"), b"%PDF", True),
    ("http://a.cn/x.pdf", h(Content_Type="text/html; charset=utf-8"), b"<html>login", False),
    ("http://a.cn/x.pdf", h(Content_Type="application/octet-stream"), b"  <!DOCTYPE html><html>", False),
    ("http://a.cn/x.txt", h(Content_Type="text/plain"), "\ufeff说明<html>".encode(), True),
    ("http://a.cn/d.jsp", h(Content_Type="text/html", Content_Disposition="attachment; filename=a.html"), b"<html>", True),
])
def test_a_web_page_served_for_a_file_is_not_the_file(url, headers, head, is_file):
    assert filekinds.is_a_file(url, headers, head) is is_file


def test_wanted_files_by_mode():
    attachments = [{"url": "http://a.cn/1.pdf"}, {"url": "javascript:void(0)"}, {"url": "http://a.cn/1.pdf"}]
    images = ["http://a.cn/1.jpg", "data:image/png;base64,xx"]
    assert filekinds.wanted_files(attachments, images, "off") == []
    assert filekinds.wanted_files(attachments, images, "attachments") == [("http://a.cn/1.pdf", "attachment")]
    assert filekinds.wanted_files(attachments, images, "all") == [("http://a.cn/1.pdf", "attachment"),
                                                                   ("http://a.cn/1.jpg", "image")]


def test_without_kept_files_the_body_is_exactly_as_before():
    args = (["正文，见附件：表.pdf。"], ["http://a.cn/i.jpg"], "http://a.cn/p.htm",
            [{"url": "http://a.cn/f.pdf", "name": "表.pdf"}, {"url": "http://a.cn/g.doc", "name": "g"}])
    assert render_body(*args) == render_body(*args, local={})
    local = render_body(*args, local={"http://a.cn/f.pdf": "/files/ab/ab.pdf", "http://a.cn/i.jpg": "/files/cd/cd.jpg"})
    assert local == ('正文，见附件：[表.pdf](/files/ab/ab.pdf "http://a.cn/f.pdf")。\n\n[g](http://a.cn/g.doc)\n\n'
                     '![图](/files/cd/cd.jpg "http://a.cn/i.jpg")\n\n[转入文章首发地址](http://a.cn/p.htm)')


# ---- the verdict --------------------------------------------------------------------------------
def stats(**counts):
    base = {"newscrawl/lists/read": 1, "newscrawl/articles/found": 2, "newscrawl/articles/new": 2,
            "newscrawl/articles/written": 2}
    base.update({f"newscrawl/{k.replace('__', '/')}": v for k, v in counts.items()})
    return base


def test_a_source_whose_files_all_fail_is_broken():
    s = summarize(stats(files__failed=2, **{"files__failed__http_404": 2}), 0.5)
    assert s["exit_code"] == EXIT_BROKEN and s["status"] == "broken"
    assert "all 2 files failed (http_404 2)" in s["problems"][0]


def test_some_files_failing_is_reported_not_broken():
    s = summarize(stats(files__kept=3, files__failed=1, **{"files__failed__timeout": 1}), 0.5)
    assert (s["exit_code"], s["status"]) == (EXIT_OK, "ok")
    assert "1 of 4 files failed (timeout 1)" in s["problems"][0]


def test_a_retry_that_fails_again_does_not_make_the_source_broken():
    s = summarize(stats(files__failed=1, files__retry__failed=1, files__retried=1,
                        **{"files__failed__http_404": 1}), 0.5)
    assert s["exit_code"] == EXIT_OK and s["files_failures"] == {"http_404": 1}


def test_files_too_large_or_offsite_are_not_failures():
    s = summarize(stats(files__too_large=1, files__offsite=1), 0.5)
    assert (s["exit_code"], s["problems"]) == (EXIT_OK, [])


# ---- WARC files ---------------------------------------------------------------------------------
def pair(builder, n: int, size: int = 1000):
    body = bytes([n % 256]) * size
    response = builder.create_warc_record(
        f"http://a.cn/{n}", "response", payload=BytesIO(body), length=size,
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1"))
    request = builder.create_warc_record(
        f"http://a.cn/{n}", "request", payload=BytesIO(b""), length=0,
        http_headers=StatusAndHeaders(f"GET /{n} HTTP/1.1", [("Host", "a.cn")], protocol="HTTP/1.1", is_http_request=True))
    return request, response


def uris(path):
    with open(path, "rb") as handle:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle) if r.rec_type == "response"]


def test_warc_files_rotate_by_size_and_are_only_finished_when_complete(tmp_path):
    files = WarcFiles(tmp_path, max_size=2500)
    builder = RecordBuilder(warc_version="1.1")
    for n in range(5):
        files.write_pair(*pair(builder, n), level=1)
        assert all(p.name.endswith((".warc.gz", ".warc.gz.open")) for p in tmp_path.iterdir())
    files.close()
    finished = sorted(tmp_path.glob("*.warc.gz"))
    assert len(finished) > 1 and not list(tmp_path.glob("*.open"))
    assert [u for p in finished for u in uris(p)] == [f"http://a.cn/{n}" for n in range(5)]
    for path in finished:
        assert gzip.decompress(path.read_bytes()).startswith(b"WARC/1.1")  # one gzip member per record


def test_a_file_left_open_by_a_killed_crawl_keeps_its_complete_records(tmp_path):
    files = WarcFiles(tmp_path, max_size=10**9)
    builder = RecordBuilder(warc_version="1.1")
    for n in range(3):
        files.write_pair(*pair(builder, n), level=1)
    files.handle.flush()
    # the crawl dies in the middle of a record: its pid is gone, half a gzip member is at the end
    opened = next(tmp_path.glob("*.open"))
    dead = opened.with_name(opened.name.replace(f"-{opened.name.split('-')[2]}-", "-99999999-"))
    opened.rename(dead)
    with open(dead, "ab") as handle:
        handle.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)[:300])
    assert salvage(tmp_path) == 1
    finished = list(tmp_path.glob("*.warc.gz"))
    assert len(finished) == 1 and not list(tmp_path.glob("*.open"))
    assert uris(finished[0]) == [f"http://a.cn/{n}" for n in range(3)]


def test_body_links_that_may_be_files_are_asked_once_pages_never():
    links = [("http://a.cn/attach/getfile?id=7", "汇总表"), ("http://a.cn/show?id=8", "附件2：名单"),
             ("http://a.cn/x?id=9", "报名表.xlsx"), ("http://a.cn/info/1/2.htm", "附件：相关新闻"),
             ("http://a.cn/about", "学校简介"), ("http://a.cn/1.pdf", "已知附件"), ("mailto:a@a.cn", "下载")]
    known = [("http://a.cn/1.pdf", "attachment")]
    assert filekinds.candidate_links(links, known) == [
        ("http://a.cn/attach/getfile?id=7", "汇总表"), ("http://a.cn/show?id=8", "附件2：名单"),
        ("http://a.cn/x?id=9", "报名表.xlsx")]


def test_a_lost_state_is_rebuilt_with_the_files_the_archive_links_as_kept(tmp_path):
    import hashlib

    from newscrawl.archive import render_body
    from newscrawl.rebuild import rebuild_from_archive
    from newscrawl.state import SqliteStateStore

    data = b"%PDF-1.4 kept"
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "files" / sha[:2]).mkdir(parents=True)
    (tmp_path / "files" / sha[:2] / f"{sha}.pdf").write_bytes(data)
    body = render_body(["见附件：表.pdf"], ["http://a.cn/gone.jpg"], "http://a.cn/p.htm",
                       [{"url": "http://a.cn/f.pdf", "name": "表.pdf"}],
                       {"http://a.cn/f.pdf": f"/files/{sha[:2]}/{sha}.pdf", "http://a.cn/gone.jpg": "/files/ee/" + "e" * 64 + ".jpg"})
    (tmp_path / "cumt").mkdir()
    (tmp_path / "cumt" / "u1.md").write_text("---\ntitle: x\nurlname: u1\n---\n" + body, encoding="utf-8")
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    assert rebuild_from_archive(store, tmp_path) == 1
    kept = store.file("http://a.cn/f.pdf")
    assert (kept["status"], kept["path"], kept["size"], kept["type"]) == ("kept", f"{sha[:2]}/{sha}.pdf", len(data),
                                                                         "application/pdf")
    assert store.file("http://a.cn/gone.jpg") is None  # linked as kept, but its file is not there
    store.close()


def test_an_article_has_one_fingerprint_whether_its_files_were_kept_or_not():
    from newscrawl.archive import content_fingerprint

    args = (["短文，见附件：表.pdf"], ["http://a.cn/i.jpg"], "http://a.cn/p.htm", [{"url": "http://a.cn/f.pdf", "name": "表.pdf"}])
    kept = render_body(*args, local={"http://a.cn/f.pdf": "/files/ab/" + "a" * 64 + ".pdf",
                                     "http://a.cn/i.jpg": "/files/cd/" + "c" * 64 + ".jpg"})
    assert content_fingerprint(kept, "标题") == content_fingerprint(render_body(*args), "标题") != ""


def test_a_wall_in_front_of_a_file_is_that_files_failure_not_the_sources_block():
    """A kept file behind 瑞数 fails as a file (files/failed/blocked, no attempt used): it must not also
    count as the site blocking the crawler (status BLOCKED, exit 4) when its articles were archived."""
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares import AntiBotMiddleware, BlockedRequest

    crawler = get_crawler()
    middleware = AntiBotMiddleware.from_crawler(crawler)
    url = "http://www.wall.edu.cn/_upload/article/files/a.pdf"
    request = Request(url, meta={"newscrawl_kind": "file", "newscrawl_source": "wall"})
    with pytest.raises(BlockedRequest):
        middleware.process_response(request, Response(url, status=412, request=request))
    stats = crawler.stats.get_stats()
    assert "newscrawl/blocked" not in stats and "newscrawl/source/wall/blocked" not in stats
    assert stats["newscrawl/blocked_host/www.wall.edu.cn"] == 1


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", None])
def test_a_compressed_wall_answering_200_is_never_captured_as_the_article(tmp_path, encoding):
    """The capture sees the bytes as served (before decompression): a gzip-served 瑞数 wall must not
    become the article's latest capture, which reextract would read instead of the good one."""
    import zlib

    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from newscrawl.warc import WarcCapture

    wall = b'<html><head><meta r="m"><script r="m">$_ts=window["$_ts"];</script></head><body></body></html>'
    brotli = pytest.importorskip("brotli") if encoding == "br" else None
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli and brotli.compress}.get(encoding, bytes)(wall)
    headers = {"Content-Encoding": encoding} if encoding else {}
    crawler = get_crawler(settings_dict={"NEWSCRAWL_WARC_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    capture = WarcCapture.from_crawler(crawler)
    request = Request("http://news.example.edu.cn/info/1/2.htm", meta={"newscrawl_kind": "article"})
    capture.response_downloaded(HtmlResponse(request.url, status=200, headers=headers, body=body, request=request),
                                request, None)
    capture.spider_closed(None, "finished")
    assert crawler.stats.get_value("newscrawl/warc/article") is None


def test_a_compressed_article_is_captured_as_served(tmp_path):
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from newscrawl.warc import WarcCapture

    page = ("<html><head><title>学校新闻</title></head><body><h1>学校新闻</h1>"
            + "<p>学校召开专题会议，研究部署下一阶段重点工作。</p>" * 20 + "</body></html>").encode()
    crawler = get_crawler(settings_dict={"NEWSCRAWL_WARC_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    capture = WarcCapture.from_crawler(crawler)
    request = Request("http://news.example.edu.cn/info/1/3.htm", meta={"newscrawl_kind": "article"})
    served = gzip.compress(page)
    capture.response_downloaded(HtmlResponse(request.url, status=200, headers={"Content-Encoding": "gzip"},
                                             body=served, request=request), request, None)
    capture.spider_closed(None, "finished")
    assert crawler.stats.get_value("newscrawl/warc/article") == 1
    with open(next(tmp_path.glob("*.warc.gz")), "rb") as handle:
        bodies = [r.raw_stream.read() for r in ArchiveIterator(handle) if r.rec_type == "response"]
    assert bodies == [served]  # the bytes as the site sent them


def test_a_failing_state_is_counted_once_whatever_the_files_outcome(caplog):
    """kept, offsite, too large, failed or not a file: a state that cannot record it is files/state_failed
    and one log line, never a traceback out of the media pipeline."""
    from types import SimpleNamespace

    from scrapy.http import Request

    from newscrawl.pipelines.files import ArchiveFilesPipeline

    counted = []

    def broken(**fields):
        raise OSError("database is locked")

    pipeline = SimpleNamespace(state=SimpleNamespace(record_file=broken), source=lambda request: "cumt",
                               kind=lambda request: "attachment", count=lambda key, request: counted.append(key))
    request = Request("http://news.example.edu.cn/a.pdf")
    for fields in ({"status": "offsite"}, {"status": "too_large", "size": 1}, {"status": "failed", "use_attempt": True}):
        assert ArchiveFilesPipeline.record(pipeline, request, **fields) is None
    assert counted == ["files/state_failed", "errors/state_failed"] * 3  # the summary's errors show it
    assert caplog.text.count("could not record the file in the state: database is locked") == 3
