"""`scrapy reextract`'s network: every request is answered from the WARC files; nothing is fetched."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from newscrawl.pipelines.files import NotInWarc
from newscrawl.warc import ARTICLE, CMS, COLUMN, KIND, SOURCE

logger = logging.getLogger("newscrawl.replay")


def warc_files(folder: Path) -> list[Path]:
    """The finished WARC files of a folder, oldest first (their names begin with their start time)."""
    folder = Path(folder)
    return sorted([*folder.glob("*.warc.gz"), *folder.glob("*.warc")], key=lambda p: p.name)


class WarcIndex:
    """Where each URL's latest answer lies (file, offset), and the article pages the crawls captured."""

    def __init__(self, folder: Path):
        self.paths = warc_files(folder)
        self.responses: dict[str, tuple[int, int]] = {}
        self.articles: dict[str, dict] = {}  # article URL (as first requested) -> source, cms, column
        for number, path in enumerate(self.paths):
            with open(path, "rb") as handle:
                records = ArchiveIterator(handle)
                for record in records:
                    if record.rec_type != "response":
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    fields = record.rec_headers
                    status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
                    self.responses[uri] = (number, records.get_record_offset())
                    if fields.get_header(KIND) == "article" and 200 <= status < 300 and fields.get_header(ARTICLE):
                        self.articles[fields.get_header(ARTICLE)] = {
                            "source": fields.get_header(SOURCE) or "", "cms": fields.get_header(CMS) or "auto",
                            "column": fields.get_header(COLUMN) or ""}

    def response(self, url: str):
        """(status, Headers, body, capture time) of url's latest answer, or None."""
        where = self.responses.get(url)
        if where is None:
            return None
        number, offset = where
        with open(self.paths[number], "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            body = record.content_stream().read()
            headers = Headers()
            for name, value in record.http_headers.headers:
                headers.appendlist(name, value.encode("latin-1"))
            when = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"), tz_aware=True)
            return int(record.http_headers.get_statuscode()), headers, body, when, record.http_headers.protocol


class WarcReplayHandler(BaseDownloadHandler):
    """The download handler of http and https during `scrapy reextract` (the spider holds the index)."""

    async def download_request(self, request):
        found = self.crawler.spider.warc_index.response(request.url)
        if found is None:
            raise NotInWarc(f"not in the WARC files: {request.url}")
        status, headers, body, when, protocol = found
        if request.meta.get("newscrawl_kind") == "article":
            request.meta["newscrawl_fetched_at"] = when  # the crawl time the crawl stamped the article with
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(url=request.url, status=status, headers=headers, body=body, request=request,
                       protocol=protocol or None)
