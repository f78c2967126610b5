"""Validation: an article needs a title and body text; anything else is dropped with its reason."""

from __future__ import annotations

from newscrawl.pipelines.base import CountingPipeline


class ValidatePipeline(CountingPipeline):
    def process_item(self, item):
        if not item.title:
            self.drop(item, "no_title", "no title found on the page")
        if not (item.paragraphs or item.images):
            # a poster-only notice is still an article; a page with neither text nor picture is not
            self.drop(item, "empty_body", "no body text or picture found on the page")
        return item
