"""Rebuilds the incremental state from the archive files on disk (lost or new state file)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from newscrawl.archive import SOURCE_LINK_RE, archive_body, content_fingerprint, parse_front_matter
from newscrawl.filekinds import ATTACHMENT, IMAGE, file_type
from newscrawl.paths import FILES_DIR_NAME

logger = logging.getLogger("newscrawl.state")
# a link to a kept file: its copy's address, the original URL as the title (archive.link_target)
KEPT_LINK_RE = re.compile(r'(?P<image>!?)\[[^\]\n]*\]\(/[^)\s"]*?/'
                          r'(?P<path>[0-9a-f]{2}/(?P<sha>[0-9a-f]{64})\.(?P<ext>\w+)) "(?P<url>https?://[^"\s]+)"\)')


def rebuild_from_archive(store, output_dir: Path, files_root: Path | None = None) -> int:
    """Record every archive file under output_dir: urlname from its front matter, URL from its last line,
    and the files it links as kept (in files_root, by default output_dir/files)."""
    recorded = 0
    for path in sorted(Path(output_dir).glob("*/*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            front = parse_front_matter(text)
        except ValueError:
            logger.warning("%s: no front matter, skipped", path)
            continue
        link = SOURCE_LINK_RE.search(text)
        if not isinstance(front, dict) or not front.get("urlname") or not link:
            logger.warning("%s: not an archive file (no urlname or source link), skipped", path)
            continue
        published = front.get("date")
        title = str(front.get("title") or "").split("->", 1)[-1].rsplit(" | ", 1)[0]
        store.record(urlname=str(front["urlname"]), url=link["url"], source=path.parent.name,
                     path=str(path.relative_to(output_dir)), fingerprint=content_fingerprint(archive_body(text), title),
                     published=str(published) if published else None)
        record_kept_files(store, text, path.parent.name, Path(files_root or Path(output_dir) / FILES_DIR_NAME))
        recorded += 1
    return recorded


def record_kept_files(store, markdown: str, source: str, files_root: Path) -> None:
    """The files an archive file links as kept (and that are still there): known again, never re-downloaded."""
    for match in KEPT_LINK_RE.finditer(markdown):
        kept = files_root / match["path"]
        if kept.is_file() and store.file(match["url"]) is None:
            store.record_file(url=match["url"], source=source, kind=IMAGE if match["image"] else ATTACHMENT,
                              status="kept", path=match["path"], sha256=match["sha"], size=kept.stat().st_size,
                              type=file_type(None, match["ext"]))
