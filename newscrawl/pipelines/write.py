"""Writes archive Markdown files atomically and records them in the state store afterwards."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from newscrawl.archive import render_markdown
from newscrawl.pipelines.base import CountingPipeline, logger
from newscrawl.state import store_for

SAFE_DIR_RE = re.compile(r"[^A-Za-z0-9._-]+")


def archive_path(output_dir: Path, source: str, urlname: str) -> Path:
    """output/<source>/<urlname>.md, never outside output_dir whatever the names hold."""
    folder = SAFE_DIR_RE.sub("_", source).strip("._") or "unknown"
    name = SAFE_DIR_RE.sub("_", urlname).strip("._") or "unnamed"
    root = output_dir.resolve()
    path = (root / folder / f"{name}.md").resolve()
    if root not in path.parents:
        raise ValueError(f"refusing to write outside {root}: {path}")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, rename: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class ArchiveWriterPipeline(CountingPipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.output_dir = Path(crawler.settings.get("NEWSCRAWL_OUTPUT_DIR") or "output")
        self.enabled = crawler.settings.getbool("NEWSCRAWL_WRITE_ARCHIVE", True)

    def open_spider(self):
        self.state = store_for(self.crawler)
        self.remove_stale_temp_files()

    def remove_stale_temp_files(self) -> None:
        """Temp files of a crawl that was killed mid-write: never part of the archive."""
        if not self.output_dir.is_dir():
            return
        for tmp in self.output_dir.glob("*/.*.md.*.tmp"):
            try:
                tmp.unlink()
                logger.info("removed %s, left by an interrupted crawl", tmp)
            except OSError:
                pass

    def process_item(self, item):
        if not self.enabled:
            return item
        if not self.state.claim(item.urlname):
            # another crawl (another process or machine on a shared state) archived it meanwhile
            self.count("articles/archived_elsewhere")
            return item
        path = archive_path(self.output_dir, item.source, item.urlname)
        text = render_markdown(item)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            self.count("articles/unchanged")
        else:
            write_atomically(path, text)
            self.count("articles/written")
            logger.info("wrote %s <%s>", path, item.url)
        # recorded only once the file is in place: a crash before this line re-crawls the article
        self.state.record(
            urlname=item.urlname, url=item.url, source=item.source,
            path=str(path.relative_to(self.output_dir.resolve())), fingerprint=item.fingerprint,
            published=item.published,
        )
        self.state.release(item.urlname)
        return item
