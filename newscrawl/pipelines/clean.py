"""Cleaning: title and paragraph whitespace, control characters, chrome, WeChat-mirror tails."""

from __future__ import annotations

from newscrawl.clean import clean_paragraphs, clean_title
from newscrawl.pipelines.base import CountingPipeline


class CleanPipeline(CountingPipeline):
    failure_kind = "clean_failed"

    def process(self, item):
        item.title = clean_title(item.title) or None
        paragraphs, original_title = clean_paragraphs(item.paragraphs)
        item.paragraphs = paragraphs
        if original_title and not item.original_title:
            item.original_title = clean_title(original_title)
        for name in ("author", "department", "editor"):
            value = clean_title(getattr(item, name) or "")
            setattr(item, name, value or None)
        return item
