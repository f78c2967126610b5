"""The article item: every normalized field of FORMAT.md, plus what the pipelines work from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The fields exported to JSON Lines, in FORMAT.md's order.
EXPORT_FIELDS = [
    "url", "urlname", "source", "school", "archive", "title", "published", "crawled_at", "author",
    "department", "editor", "views", "body", "images", "attachments", "tags", "categories",
    "original_title", "confidence", "doubts",
]
# exported too when files are kept (NEWSCRAWL_FILES is not off): with it off, the export is unchanged
FILES_FIELD = "files"


@dataclass
class ArticleItem:
    # identity and source (set by the spider)
    url: str = ""
    source: str = ""
    school: str = ""
    archive: str = ""
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    cms: str = ""
    # extracted, then cleaned and normalized by the pipelines
    title: str | None = None
    published: Any = None  # datetime while in the pipelines; ISO 8601 text once normalized
    crawled_at: Any = None
    author: str | None = None
    department: str | None = None
    editor: str | None = None
    views: int | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    original_title: str | None = None
    column: str = ""  # the list page it was found on (for retries); not exported
    # how sure the extraction is (0..1) and why not surer (newscrawl.extract.confidence); JSON only,
    # never in the archive's Markdown
    confidence: float | None = None
    doubts: list[str] = field(default_factory=list)
    recheck: bool = False  # a re-check of an archived article (a changed text is a revision); not exported
    date_from_crawl: bool = False  # the page states no date: `published` is a crawl time; not exported
    etag: str = ""  # the page's validators, kept for conditional re-checks; not exported
    last_modified: str = ""
    links: list = field(default_factory=list)  # the body's other links (url, text); not exported
    # the kept files: {url, kind, path (in the published site), size, sha256, type}; set by the files pipeline
    files: list[dict] = field(default_factory=list)
    # derived by the pipelines
    urlname: str = ""
    body: str = ""
    fingerprint: str = ""


@dataclass
class FileRetry:
    """A file that failed in an earlier run, tried again: kept now, it is linked into the articles that link it.

    Yielded by the spider before the list pages; the files pipeline fetches it, the writer relinks
    the articles; never exported.
    """
    url: str
    kind: str
    source: str
    articles: list[dict] = field(default_factory=list)  # {urlname, path, source} of the archived articles
    kept: dict | None = None  # set by the files pipeline when the file is kept now
