"""Keeps the files an article links in the archive's files folder, named by their content's hash.

Scrapy's FilesPipeline does the fetching: media requests go through the same downloader (politeness,
proxies, retries, the offsite and private-address guard). This subclass decides which links are
files (NEWSCRAWL_FILES), names each file by the SHA-256 of its bytes (the same file linked twice is
stored once), records every outcome in the state (a kept file is never downloaded again; a failed one
is retried by later runs, a bounded number of times), and links the article to the kept copies.
A file that is not kept never keeps its article out of the archive: its link stays the original.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from io import BytesIO
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline, FSFilesStore

from newscrawl import filekinds
from newscrawl.filekinds import FileNotKept
from newscrawl.paths import files_dir
from newscrawl.archive import render_body
from newscrawl.items import ArticleItem, FileRetry
from newscrawl.middlewares import BlockedRequest, OffsiteRequest
from newscrawl.outcomes import count, download_error, one_line
from newscrawl.pipelines.write import remove_stale_temp_files, write_atomically
from newscrawl.state import store_for
from newscrawl.urls import WECHAT_MEDIA_DOMAINS, host_of, is_wechat_url

logger = logging.getLogger("newscrawl.files")


class NotInWarc(IgnoreRequest):
    """`scrapy reextract` fetches nothing: the WARC files hold no answer for this URL."""


class ArchiveFilesStore(FSFilesStore):
    """Scrapy's local store, crash-safe and content-addressed: a file appears whole or not at all
    (write_atomically), and content already kept is not written again."""

    def __init__(self, basedir):
        # not FSFilesStore's: it creates the folder now; here the first kept file does
        basedir = str(basedir)
        self.basedir = basedir.split("://", 1)[1] if "://" in basedir else basedir

    def persist_file(self, path, buf, info, meta=None, headers=None):
        target = Path(self.basedir, path)
        if not target.is_file():
            write_atomically(target, buf.getvalue())  # the response's own bytes: BytesIO shares them, no copy
        return None


class ArchiveFilesPipeline(FilesPipeline):
    """NEWSCRAWL_FILES = attachments (the default) or all (pictures too); off: not loaded."""

    MEDIA_NAME = "file"
    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "": ArchiveFilesStore, "file": ArchiveFilesStore}

    def __init__(self, store_uri, download_func=None, *, crawler):
        settings = crawler.settings
        self.mode = settings.get("NEWSCRAWL_FILES")
        if self.mode not in ("attachments", "all"):
            raise NotConfigured  # files off (no message: Scrapy would log it as a warning)
        super().__init__(str(files_dir(settings)), crawler=crawler)
        if not isinstance(self.store, ArchiveFilesStore):  # preflight refuses it with one line
            raise NotConfigured("FILES_STORE must be a local folder")
        self.root = Path(self.store.basedir)
        self.maxsize = settings.getint("NEWSCRAWL_FILES_MAXSIZE")
        self.files_url = settings.get("NEWSCRAWL_FILES_URL")
        self.max_attempts = settings.getint("NEWSCRAWL_MAX_ATTEMPTS")
        # Scrapy holds a download's whole body in memory: this many at once bounds the crawl's memory
        self.slots = asyncio.Semaphore(max(1, settings.getint("NEWSCRAWL_FILES_CONCURRENCY")))

    def open_spider(self):
        super().open_spider()
        self.state = store_for(self.crawler)
        # `scrapy reextract` (its spider holds the WARC index): files come from the captures; what the
        # crawls decided about a file that was not kept stands (they retry it, not a replay)
        self.replaying = getattr(self.crawler.spider, "warc_index", None) is not None
        remove_stale_temp_files(self.root)

    # ---- which files -----------------------------------------------------------------------
    def wanted(self, item) -> list[tuple[str, str]]:
        if isinstance(item, FileRetry):
            return [(item.url, item.kind)]
        if isinstance(item, ArticleItem):
            files = filekinds.wanted_files(item.attachments, item.images, self.mode)
            return files + [(url, filekinds.LINK) for url, _ in filekinds.candidate_links(item.links, files)]
        return []

    def get_media_requests(self, item, info):
        if isinstance(item, FileRetry):
            referer = item.articles[0]["url"] if item.articles else ""
            return [self.file_request(item.url, item.kind, item.source, referer, retry=True)]
        if not isinstance(item, ArticleItem):
            return []
        return [self.file_request(url, kind, item.source, item.url) for url, kind in self.wanted(item)]

    def file_request(self, url: str, kind: str, source: str, referer: str, retry: bool = False) -> Request:
        return Request(
            url, callback=NO_CALLBACK, headers={"Referer": referer} if referer else None,
            meta={"newscrawl_kind": "file", "newscrawl_file_kind": kind, "newscrawl_source": source,
                  "newscrawl_file_retry": retry,
                  # the guard keeps files on the article's university (and its own host)
                  "newscrawl_domains": self.domains_for(source, referer),
                  "download_maxsize": self.maxsize, "download_warnsize": 0},
        )

    def domains_for(self, source_name: str, article_url: str) -> list[str]:
        spider = self.crawler.spider
        source = (getattr(spider, "sources_by_name", {}).get(source_name)
                  or getattr(spider, "sources", {}).get(source_name))
        domains = list(source.domains) if source is not None else []
        host = host_of(article_url) if article_url else ""
        if host and host not in domains:
            domains.append(host)
        if article_url and is_wechat_url(article_url):
            domains += WECHAT_MEDIA_DOMAINS  # a WeChat post's pictures live on WeChat's picture hosts
        return domains

    # ---- before and after the download ------------------------------------------------------
    async def media_to_download(self, request, info, *, item=None):
        known = self.state.file(request.url)
        if known:
            if known["status"] == "kept" and (self.root / known["path"]).is_file():
                self.count("files/already_kept", request)
                return self.file_info(request.url, known, "uptodate")
            if known["status"] == "page":
                raise self.skipped(request, "page", "not a file in an earlier run")
            if self.replaying and known["status"] != "kept":
                raise self.skipped(request, known["status"], "not kept by the crawls")
            if known["status"] == "too_large" and known["size"] > self.maxsize:
                raise self.skipped(request, "too_large", f"larger than {self.maxsize} bytes in an earlier run")
            if known["status"] == "failed" and known["attempts"] >= self.max_attempts:
                raise self.skipped(request, "given_up", f"failed {known['attempts']} times ({known['reason']})")
        await self.slots.acquire()
        request.meta["newscrawl_file_slot"] = True
        return None

    def release(self, request) -> None:
        if request.meta.pop("newscrawl_file_slot", False):
            self.slots.release()

    async def media_downloaded(self, response, request, info, *, item=None):
        try:
            return self.keep(response, request, info, item)
        finally:
            self.release(request)

    def keep(self, response, request, info, item) -> dict:
        if self.kind(request) == filekinds.LINK and not (
                response.status == 200 and response.body
                and filekinds.is_a_file(request.url, response.headers, response.body[:512])):
            raise self.not_a_file(request, f"HTTP {response.status} {filekinds.media_type(response.headers)}")
        if response.status != 200:
            raise self.failed(request, f"http_{response.status}", f"HTTP {response.status}")
        if not response.body:
            raise self.failed(request, "empty", "the answer was empty")
        if not filekinds.is_a_file(request.url, response.headers, response.body[:512]):
            raise self.failed(request, "not_a_file",
                              f"the answer is a web page ({filekinds.media_type(response.headers) or 'no type'}), not a file")
        sha256, path = self.stored_as(request, response)
        existed = (self.root / path).is_file()
        try:
            self.store.persist_file(path, BytesIO(response.body), info)  # stored once per content
        except OSError as exc:
            raise self.failed(request, "write_failed", f"{type(exc).__name__}: {exc}") from None
        self.inc_stats("downloaded")
        ext = path.rsplit(".", 1)[-1]
        record = {"status": "kept", "path": path, "sha256": sha256, "size": len(response.body),
                  "type": filekinds.file_type(response.headers, ext)}
        kind = filekinds.ATTACHMENT if self.kind(request) == filekinds.LINK else self.kind(request)
        self.record(request, kind=kind, **record)
        self.count("files/kept", request)
        self.count(f"files/kept/{kind}", request)
        if request.meta.get("newscrawl_file_retry"):
            self.count("files/retry/kept", request)
        if existed:
            self.count("files/same_content", request)  # another URL's file had these bytes: stored once
        logger.debug("kept %s (%d bytes) as %s", request.url, len(response.body), path)
        return self.file_info(request.url, record, "downloaded")

    def media_failed(self, failure, request, info):
        self.release(request)
        exc = failure.value
        if isinstance(exc, FileNotKept):
            raise exc
        if self.kind(request) == filekinds.LINK and not isinstance(exc, (NotInWarc, DownloadCancelledError)):
            raise self.not_a_file(request, f"{type(exc).__name__}: {exc}")
        if isinstance(exc, NotInWarc):
            self.count("files/not_in_warc", request)
            raise FileNotKept("not_in_warc", str(exc))
        if isinstance(exc, OffsiteRequest):
            self.count("files/offsite", request)
            self.record(request, status="offsite", reason=one_line(str(exc)))
            logger.info("file not kept (offsite): %s <%s>", one_line(str(exc)), request.url)
            raise FileNotKept("offsite", str(exc))
        if isinstance(exc, DownloadCancelledError):
            self.count("files/too_large", request)
            self.record(request, status="too_large", size=self.maxsize + 1, reason=one_line(str(exc)))
            logger.warning("file not kept (larger than NEWSCRAWL_FILES_MAXSIZE, %d bytes): its link stays "
                           "the original <%s>", self.maxsize, request.url)
            raise FileNotKept("too_large", str(exc))
        if isinstance(exc, BlockedRequest):  # a wall says nothing about the file: uses no attempt
            raise self.failed(request, "blocked", str(exc), use_attempt=False)
        raise self.failed(request, *download_error(exc))  # named as the spider names an article's

    def record(self, request, kind: str | None = None, **fields) -> int | None:
        """The file's outcome in the state (its attempts so far, for a failure); a state that fails is
        counted and logged once, and the file is simply tried again when an article links it."""
        try:
            return self.state.record_file(url=request.url, source=self.source(request),
                                          kind=kind or self.kind(request), **fields)
        except Exception as exc:
            self.count("files/state_failed", request)
            self.count("errors/state_failed", request)  # shown in the summary's errors, as an article's is
            logger.error("could not record the file in the state: %s <%s>", one_line(str(exc)), request.url)
            return None

    def failed(self, request, kind: str, reason: str, use_attempt: bool = True) -> FileNotKept:
        """A download that failed: counted by kind, one log line, queued in the state for later runs."""
        self.count("files/failed", request)
        self.count(f"files/failed/{kind}", request)
        if request.meta.get("newscrawl_file_retry"):
            self.count("files/retry/failed", request)
        logger.warning("file not kept (%s): %s <%s>", kind, one_line(reason), request.url)
        attempts = self.record(request, status="failed", reason=one_line(reason), use_attempt=use_attempt)
        if use_attempt and attempts is not None and attempts >= self.max_attempts:
            self.count("files/given_up", request)
            logger.error("giving up on file <%s> after %d attempts (last: %s); `scrapy state --retry` "
                         "queues it again", request.url, attempts, kind)
        return FileNotKept(kind, reason)

    def not_a_file(self, request, reason: str) -> FileNotKept:
        """A body link that may have been a file is not one (or did not answer): not a failure, not asked again."""
        self.count("files/links_not_files", request)
        self.record(request, kind=filekinds.LINK, status="page", reason=one_line(reason))
        logger.debug("not a file: %s <%s>", reason, request.url)
        return FileNotKept("page", reason)

    def skipped(self, request, why: str, reason: str) -> FileNotKept:
        self.count("files/skipped", request)
        self.count(f"files/skipped/{why}", request)
        logger.debug("file not fetched (%s): %s <%s>", why, reason, request.url)
        return FileNotKept(why, reason)

    # ---- naming and storing (FilesPipeline's hooks) ----------------------------------------
    def stored_as(self, request, response) -> tuple[str, str]:
        """(sha256, ab/<sha256>.<ext>): the answer's bytes, named by their content."""
        sha256 = hashlib.sha256(response.body).hexdigest()
        ext = filekinds.file_extension(response.url, response.headers)
        if ext == "bin":
            ext = filekinds.url_extension(request.url) or ext
        return sha256, filekinds.stored_path(sha256, ext)

    def file_path(self, request, response=None, info=None, *, item=None) -> str:
        """FilesPipeline's hook (its callers are all replaced here: keep() names files by stored_as)."""
        return self.stored_as(request, response)[1]

    # ---- the article ---------------------------------------------------------------------
    def item_completed(self, results, item, info):
        try:
            return self.link_files(results, item)
        except Exception as exc:  # the state failing must not cost the article: it keeps its original links
            count(self.crawler.stats, "files/errors", source=getattr(item, "source", None))
            logger.error("files of <%s> not linked: %s", getattr(item, "url", "?"), one_line(f"{type(exc).__name__}: {exc}"))
            return item

    def link_files(self, results, item):
        wanted = self.wanted(item)
        kept = [(url, kind, value) for (url, kind), (ok, value) in zip(wanted, results)
                if ok and value and value.get("path")]
        if isinstance(item, FileRetry):
            item.kept = kept[0][2] if kept else None
            return item
        if not isinstance(item, ArticleItem):
            return item
        for url, kind in wanted:
            if kind != filekinds.LINK:
                self.state.link_file(url, item.urlname)
        texts = dict(item.links)
        for url, kind, _ in kept:
            if kind == filekinds.LINK:  # its answer was a file: an attachment, named by its link's text
                self.state.link_file(url, item.urlname)
                item.attachments.append({"url": url, "name": texts.get(url) or ""})
        local = {url: value["local"] for url, _, value in kept}
        item.files = [{"url": url, "kind": filekinds.ATTACHMENT if kind == filekinds.LINK else kind,
                       **{k: value[k] for k in ("path", "local", "size", "sha256", "type")}}
                      for url, kind, value in kept]
        if local:
            item.body = render_body(item.paragraphs, item.images, item.url, item.attachments, local)
        return item

    def file_info(self, url: str, record: dict, status: str) -> dict:
        return {"url": url, "path": record["path"], "checksum": record["sha256"], "status": status,
                "sha256": record["sha256"], "size": record["size"], "type": record["type"],
                "local": filekinds.local_url(self.files_url, record["path"])}

    # ---- counting ----------------------------------------------------------------------------
    @staticmethod
    def source(request) -> str:
        return request.meta.get("newscrawl_source") or "unknown"

    @staticmethod
    def kind(request) -> str:
        return request.meta.get("newscrawl_file_kind") or filekinds.ATTACHMENT

    def count(self, key: str, request) -> None:
        count(self.crawler.stats, key, source=request.meta.get("newscrawl_source"))
