"""Validation: an article needs a title and content, in text that decoded cleanly."""

from __future__ import annotations

from newscrawl.encoding import garbled
from newscrawl.pipelines.base import CountingPipeline


class ValidatePipeline(CountingPipeline):
    failure_kind = "validate_failed"

    def process(self, item):
        if not item.title:
            self.drop(item, "no_title", "no title found on the page")
        if not (item.paragraphs or item.images or item.attachments):
            # a poster-only or attachment-only notice is still an article; a page with neither
            # text, picture nor attachment is not
            self.drop(item, "empty_body", "no body text, picture or attachment found on the page")
        if garbled(item.title + "\n" + "\n".join(item.paragraphs)):
            # mojibake is never archived: not recorded, so the article is fetched again next run
            self.fail(item, "garbled_text", "the text still reads as mojibake after decoding (wrong encoding?)")
        return item
