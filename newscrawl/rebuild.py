"""Rebuilds the incremental state from the archive files on disk (lost or new state file)."""

from __future__ import annotations

import logging
from pathlib import Path

from newscrawl.archive import SOURCE_LINK_RE, archive_body, content_fingerprint, parse_front_matter

logger = logging.getLogger("newscrawl.state")


def rebuild_from_archive(store, output_dir: Path) -> int:
    """Record every archive file under output_dir: urlname from its front matter, URL from its last line."""
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
        recorded += 1
    return recorded
