"""Writes archive Markdown files atomically and records them in the state store afterwards."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from scrapy.exceptions import DropItem

from newscrawl.archive import archived_date, relink, render_markdown, with_lastmod, without_lastmod
from newscrawl.dates import CHINA_TZ, archive_date
from newscrawl.items import ArticleItem, FileRetry
from newscrawl.outcomes import count
from newscrawl.pipelines.base import CountingPipeline, logger
from newscrawl.state import StateError, store_for
from newscrawl.paths import output_folder

SAFE_DIR_RE = re.compile(r"[^A-Za-z0-9._-]+")
# what write_atomically names its temp files: .<name>.<pid>.<random>.tmp (mkstemp)
TEMP_GLOB = "*/.*.tmp"
TEMP_PID_RE = re.compile(r"^\..+\.(?P<pid>\d+)\.[^.]+\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# archive files get the permissions of any file this process creates (mkstemp would make them 0600)
FILE_MODE = 0o666 & ~_umask()


def archive_path(output_dir: Path, source: str, urlname: str) -> Path:
    """output/<source>/<urlname>.md, never outside output_dir whatever the names hold."""
    folder = SAFE_DIR_RE.sub("_", source).strip("._") or "unknown"
    name = SAFE_DIR_RE.sub("_", urlname).strip("._") or "unnamed"
    root = output_dir.resolve()
    path = (root / folder / f"{name}.md").resolve()
    if root not in path.parents:
        raise ValueError(f"refusing to write outside {root}: {path}")
    return path


def write_atomically(path: Path, text: str | bytes, mode: int = FILE_MODE, sync_folder: bool = False) -> None:
    """Temp file in the same folder, fsync, rename: a crash or a full disk leaves the old file or the new one.

    Every file newscrawl writes goes through here (archive, summaries, report, sources file, kept
    files: bytes are written as they are, text as UTF-8 with \n line ends). The
    temp file is created exclusively (mkstemp: O_EXCL, a random name), so a link planted at a name
    it could have is never followed; the name carries the writer's pid, so the sweep at a crawl's
    start never removes a live crawl's file. sync_folder: the rename itself survives a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        binary = isinstance(text, bytes)
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        if sync_folder:
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def rewrite_archived(path: Path, text: str, lastmod: str | None = None) -> str | None:
    """Write an article's file in place (same path, same urlname, atomically) when its text changed.

    The one place that replaces an archive file: a re-check that found the site's text edited, a
    full re-crawl, a re-extraction (`scrapy reextract`), a file kept on a later run linked in. Compared without the `lastmod:` line (it says when, not what).
    Returns None when the text is unchanged (the file is not touched), else the MD5 of the text it
    replaced ('' when there was no file). lastmod: Hugo's `lastmod:` value for a replaced file
    (NEWSCRAWL_LASTMOD), or None for none.
    """
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = None
    if old is not None and without_lastmod(old) == text:
        return None
    write_atomically(path, with_lastmod(text, lastmod) if lastmod and old is not None else text)
    return hashlib.md5(old.encode("utf-8")).hexdigest() if old is not None else ""


def keep_first_date(item: ArticleItem, path: Path) -> None:
    """A page that states no date is dated by the crawl that first archived it (FORMAT.md): a later crawl
    of the same text (-a full=1, a re-check) keeps that date, so it is no change and no revision."""
    try:
        first = archived_date(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):  # not archived yet (or unreadable: it is written anew)
        return
    if first:
        item.published = datetime.strptime(first, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ).isoformat()


def pid_alive(pid: int) -> bool:
    """Is this process running? (A temp file of a running crawl is never removed.)"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(output_dir: Path) -> int:
    """Temp files of crawls killed mid-write (their pid is gone), in the source folders and .newscrawl/."""
    removed = 0
    if not output_dir.is_dir():
        return removed
    for tmp in output_dir.glob(TEMP_GLOB):
        match = TEMP_PID_RE.match(tmp.name)
        if not match or (int(match["pid"]) != os.getpid() and pid_alive(int(match["pid"]))):
            continue  # not one of ours, or a crawl of another source running now
        try:
            tmp.unlink()
            removed += 1
            logger.info("removed %s, left by an interrupted crawl", tmp)
        except OSError:
            pass
    return removed


def describe_os_error(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "OSError")
    return f"{name}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")


class ArchiveWriterPipeline(CountingPipeline):
    handles = (ArticleItem, FileRetry)

    def __init__(self, crawler):
        super().__init__(crawler)
        self.output_dir = output_folder(crawler.settings)
        self.enabled = crawler.settings.getbool("NEWSCRAWL_WRITE_ARCHIVE")
        self.lastmod = crawler.settings.getbool("NEWSCRAWL_LASTMOD")

    def open_spider(self):
        self.state = store_for(self.crawler)
        # the crawl command holds the run lock of every source it crawls by now
        remove_stale_temp_files(self.output_dir)

    def kind_of(self, exc: Exception) -> str:
        if isinstance(exc, (sqlite3.Error, StateError)) or type(exc).__module__.startswith("psycopg"):
            return "state_failed"
        return "write_failed"

    def process(self, item):
        if isinstance(item, FileRetry):
            self.relink_articles(item)
        if not self.enabled:
            return item
        if not self.state.claim(item.urlname):
            # another crawl (another process or machine on a shared state) archived it meanwhile
            self.count("articles/archived_elsewhere", item=item)
            return item
        path = archive_path(self.output_dir, item.source, item.urlname)
        if item.date_from_crawl:
            keep_first_date(item, path)
        text = render_markdown(item)
        lastmod = archive_date(datetime.now(CHINA_TZ)) if self.lastmod else None
        try:
            previous = rewrite_archived(path, text, lastmod)
        except OSError as exc:
            self.fail(item, "write_failed", describe_os_error(exc))
        if item.recheck and previous != "":
            return self.recorded_recheck(item, path, previous)
        if previous is None:
            self.count("articles/unchanged", item=item)
        else:
            self.count("articles/written", item=item)
            logger.debug("wrote %s <%s>", path, item.url)
        # recorded only once the file is in place: a crash before this line re-crawls the article
        try:
            self.state.record(
                urlname=item.urlname, url=item.url, source=item.source,
                path=str(path.relative_to(self.output_dir.resolve())), fingerprint=item.fingerprint,
                published=item.published, etag=item.etag, last_modified=item.last_modified,
            )
            self.state.release(item.urlname)
        except Exception as exc:
            self.count("articles/unrecorded", item=item)
            self.fail(item, "state_failed", f"{type(exc).__name__}: {exc}")
        return item

    def recorded_recheck(self, item, path: Path, previous: str | None):
        """A re-checked article: unchanged (its next check comes later), or revised by the site."""
        try:
            if previous is None:
                self.count("rechecks/unchanged", item=item)
                self.state.mark_checked(item.urlname, item.etag, item.last_modified)
            else:
                revisions = self.state.record_revision(item.urlname, fingerprint=item.fingerprint,
                                                       previous_hash=previous, etag=item.etag,
                                                       last_modified=item.last_modified)
                self.count("articles/revised", item=item)
                logger.info("article revised by the site (revision %d), file rewritten: %s <%s>", revisions,
                            path.name, item.url)
            self.state.release(item.urlname)
        except Exception as exc:
            self.count("articles/unrecorded", item=item)
            self.fail(item, "state_failed", f"{type(exc).__name__}: {exc}")
        return item

    def relink_articles(self, retry: FileRetry):
        """A file kept on a later run: the archived articles that link it now link its kept copy."""
        if retry.kept and self.enabled:
            root = self.output_dir.resolve()
            for article in retry.articles:
                path = root / article["path"]
                try:
                    old = path.read_text(encoding="utf-8")
                    new = relink(old, retry.url, retry.kept["local"])
                    if new != old and rewrite_archived(path, new) is not None:
                        count(self.stats, "files/relinked", source=article["source"])
                except OSError as exc:
                    logger.warning("could not link the kept file into %s: %s <%s>", path, describe_os_error(exc),
                                   retry.url)
        # done: a retry is no article, never exported
        raise DropItem(f"file retry <{retry.url}>", log_level="DEBUG")
