"""The result of extracting one article page, before cleaning and normalization."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Extracted:
    cms: str
    title: str | None = None
    published: datetime | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)  # {"url": ..., "name": ...}
    # the body's other links (absolute URL, text): NEWSCRAWL_FILES keeps those whose answer is a file
    links: list[tuple[str, str]] = field(default_factory=list)
    author: str | None = None
    department: str | None = None
    editor: str | None = None
    views: int | None = None
    views_url: str | None = None  # where the site serves the view count, if not in the page
    original_title: str | None = None
    body_found: bool = True  # False: no content container at all (not: an empty one)
    notes: list[str] = field(default_factory=list)  # what the extractor had to guess, for the log
    # how sure the extraction is (0..1), and why not surer: set by extract_article (confidence.py)
    confidence: float | None = None
    doubts: list[str] = field(default_factory=list)
    # 'article', or 'not_article' for a channel/list page reached as an article (nothing to archive)
    page_kind: str = "article"
    evidence: object = field(default=None, repr=False)  # the generic path's MainText, for the assessment
