"""Raw captures (NEWSCRAWL_WARC_DIR): every article page and every kept file, also written to WARC files.

The pages are kept as the site sent them (status, headers, the body before any decoding), with a
request record beside each, so that `scrapy reextract` can run the current extractor on them later
without fetching anything. A WARC file is written under a temporary name (`….warc.gz.open`) and
renamed when it is complete (closed at the end of the crawl, or at NEWSCRAWL_WARC_MAX_SIZE, when the
next one begins): a finished name never holds half a record. A crawl killed mid-file leaves its
`.open` file; the next crawl keeps its complete records (cut after the last one) under a finished name.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawl import __version__, filekinds
from newscrawl.extract.detect import is_antibot_page
from newscrawl.pipelines.write import pid_alive
from newscrawl.urls import first_url

logger = logging.getLogger("newscrawl.warc")

OPEN_SUFFIX = ".open"
WARC_GLOB = "*.warc.gz"
NAME_RE = re.compile(r"^newscrawl-\d{14}-(?P<pid>\d+)-\d{5}\.warc\.gz\.open$")
# never written to a capture: credentials the proxy, the site or the crawl's own settings put there
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# the body is stored whole and de-chunked: these would describe bytes that are not there
DROPPED_RESPONSE_HEADERS = frozenset({"transfer-encoding"})
# pages compress well; files that are compressed already (PDF, pictures, archives, Office's zipped XML)
# are stored in the gzip member as they are: deflating 5 MB of them again costs a quarter second for
# nothing, stored blocks cost a checksum
COMPRESSED_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "application/zip",
                    "application/x-zip-compressed", "application/vnd.rar", "application/x-rar-compressed",
                    "application/x-7z-compressed", "application/vnd.openxmlformats-officedocument")
COMPRESSED_EXTENSIONS = frozenset("pdf jpg jpeg png gif webp zip rar 7z docx xlsx pptx mp3 mp4".split())


def level_for(kind: str, response) -> int:
    """The gzip level of a record: 6 for pages and files that compress, 0 (stored) for compressed files."""
    if kind != "file":
        return 6
    media = filekinds.media_type(response.headers)
    if media.startswith(COMPRESSED_TYPES) or filekinds.file_extension(response.url, response.headers) in COMPRESSED_EXTENSIONS:
        return 0
    return 6
# newscrawl's own record fields: what `scrapy reextract` needs to treat the page as the crawl did
KIND, SOURCE, ARTICLE, CMS, COLUMN = ("Newscrawl-Kind", "Newscrawl-Source", "Newscrawl-Article", "Newscrawl-CMS",
                                      "Newscrawl-Column")


class GzipMember:
    """One gzip member per record (what WARC readers expect), at a compression level of our choosing."""

    def __init__(self, out, level: int):
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:  # warcio calls it once the record is written
        self.out.write(self.compressor.flush())


def _headers(scrapy_headers, drop=frozenset()) -> list[tuple[str, str]]:
    out = []
    for name, values in scrapy_headers.items():
        key = name.decode("latin-1")
        if key.lower() in SECRET_HEADERS or key.lower() in drop:
            continue
        out += [(key, value.decode("latin-1")) for value in values]
    return out


class WarcFiles:
    """WARC files in one folder, rotated by size; each complete before it gets its finished name."""

    def __init__(self, folder: Path, max_size: int):
        self.folder = Path(folder)
        self.max_size = max_size
        self.serial = 0
        self.handle = None
        self.path: Path | None = None
        self.started = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        name = f"newscrawl-{self.started}-{os.getpid()}-{self.serial:05d}.warc.gz"
        self.path = self.folder / name
        self.handle = open(self.folder / (name + OPEN_SUFFIX), "wb")
        self.writer = WARCWriter(self.handle, gzip=False, warc_version="1.1")
        info = self.writer.create_warcinfo_record(name, {"software": f"newscrawl/{__version__}",
                                                         "format": "WARC File Format 1.1"})
        self._write(info, 6)

    def _write(self, record, level: int) -> None:
        member = GzipMember(self.handle, level)
        self.writer.out = member
        self.writer.write_record(record)
        self.writer.out = self.handle

    def write_pair(self, request_record, response_record, level: int) -> None:
        if self.handle is None:
            self._open()
        # response first, then its request (WARC-Concurrent-To), as warcio pairs them
        request_record.rec_headers.add_header("WARC-Concurrent-To",
                                              response_record.rec_headers.get_header("WARC-Record-ID"))
        self._write(response_record, level)
        self._write(request_record, 6)
        if self.handle.tell() >= self.max_size:
            self.close()

    def close(self) -> None:
        """Finish the current file: flushed, synced, renamed to its finished name."""
        if self.handle is None:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.path.with_name(self.path.name + OPEN_SUFFIX), self.path)
        self.handle = None


def salvage(folder: Path) -> int:
    """WARC files left open by crawls that died: their complete records kept under a finished name."""
    saved = 0
    for leftover in sorted(Path(folder).glob(WARC_GLOB + OPEN_SUFFIX)) if Path(folder).is_dir() else ():
        match = NAME_RE.match(leftover.name)
        if match and int(match["pid"]) != os.getpid() and pid_alive(int(match["pid"])):
            continue  # a crawl writing it now
        end = 0
        try:
            with open(leftover, "rb") as handle:
                records = ArchiveIterator(handle)
                for record in records:
                    record.content_stream().read()
                    end = records.get_record_offset() + records.get_record_length()
        except Exception:  # a record cut short: everything before it is kept
            pass
        if end:
            with open(leftover, "r+b") as handle:
                handle.truncate(end)
                os.fsync(handle.fileno())
            os.replace(leftover, leftover.with_name(leftover.name[: -len(OPEN_SUFFIX)]))
            logger.warning("kept the complete records of %s, left open by an interrupted crawl", leftover.name)
            saved += 1
        else:
            leftover.unlink()
    return saved


class WarcCapture:
    """The extension: writes article pages and kept files as they come from the downloader."""

    def __init__(self, crawler, folder: Path, max_size: int):
        self.crawler = crawler
        self.files = WarcFiles(folder, max_size)
        self.builder = RecordBuilder(warc_version="1.1")
        salvage(folder)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        folder = crawler.settings.get("NEWSCRAWL_WARC_DIR")
        if not folder:
            raise NotConfigured  # no message: Scrapy would log a warning on every crawl without captures
        return cls(crawler, Path(folder), crawler.settings.getint("NEWSCRAWL_WARC_MAX_SIZE"))

    def response_downloaded(self, response, request, spider):
        kind = request.meta.get("newscrawl_kind")
        if kind == "article":
            if is_antibot_page(response.status, _served_text(response)):
                return  # a wall is not the page
        elif kind != "file" or not 200 <= response.status < 400:
            return
        fetched = datetime.now(timezone.utc)
        if kind == "article":
            # the crawl time the article is stamped with, exactly as reextract will read it back
            request.meta["newscrawl_fetched_at"] = fetched
        try:
            self.write(response, request, kind, fetched)
        except OSError as exc:
            self.crawler.stats.inc_value("newscrawl/warc/failed")
            logger.error("could not write the WARC record of <%s>: %s", request.url, exc)
        else:
            self.crawler.stats.inc_value(f"newscrawl/warc/{kind}")

    def write(self, response, request, kind: str, fetched: datetime) -> None:
        writer = self.builder
        meta = request.meta
        fields = {"WARC-Date": datetime_to_iso_date(fetched.replace(tzinfo=None), use_micros=True), KIND: kind,
                  SOURCE: meta.get("newscrawl_source") or ""}
        if response.ip_address is not None:
            fields["WARC-IP-Address"] = str(response.ip_address)
        if kind == "article":
            fields[ARTICLE] = first_url(request)
            fields[CMS] = str(request.cb_kwargs.get("cms") or "auto")
            fields[COLUMN] = meta.get("newscrawl_column") or ""
        status = StatusAndHeaders(f"{response.status} {_reason(response.status)}",
                                  _headers(response.headers, DROPPED_RESPONSE_HEADERS),
                                  protocol=response.protocol or "HTTP/1.1")
        if status.get_header("Content-Length") is not None:
            status.replace_header("Content-Length", str(len(response.body)))
        response_record = writer.create_warc_record(response.url, "response", payload=BytesIO(response.body),
                                                    length=len(response.body), http_headers=status,
                                                    warc_headers_dict=fields)
        parts = urlsplit(request.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = StatusAndHeaders(f"{request.method} {path} HTTP/1.1", _headers(request.headers), protocol="HTTP/1.1",
                                is_http_request=True)
        if sent.get_header("Host") is None:
            sent.add_header("Host", parts.netloc)
        request_record = writer.create_warc_record(response.url, "request", payload=BytesIO(request.body or b""),
                                                   length=len(request.body or b""), http_headers=sent,
                                                   warc_headers_dict={"WARC-Date": fields["WARC-Date"]})
        self.files.write_pair(request_record, response_record, level_for(kind, response))

    def spider_closed(self, spider, reason):
        try:
            self.files.close()
        except OSError as exc:
            logger.error("could not finish the WARC file: %s", exc)


def _served_text(response, limit: int = 2_000_000) -> bytes:
    """The page as the anti-bot check must read it: this signal comes before HttpCompression, so a
    gzip-, deflate- or br-encoded body is decoded here (the first `limit` bytes are all the check reads)."""
    encoding = response.headers.get("Content-Encoding", b"").strip().lower()
    if encoding == b"br":
        try:
            import brotli  # optional, as in Scrapy: without it no server is asked for br

            return brotli.Decompressor().process(response.body, output_buffer_limit=limit)
        except Exception:  # brotli missing or too old for a limit, or a body that is not br
            return response.body
    if encoding not in (b"gzip", b"x-gzip", b"deflate"):
        return response.body
    for wbits in (47, -15):  # gzip or zlib by their header, then raw deflate
        try:
            return zlib.decompressobj(wbits).decompress(response.body, limit)
        except zlib.error:
            continue
    return response.body


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
