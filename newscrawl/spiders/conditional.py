"""Conditional list pages: asked "changed since?" with the validators of their last read; a 304 means
the column is as it was (no parse, nothing new), at the cost of a header-only exchange."""

from __future__ import annotations

from newscrawl.conditional import NOT_MODIFIED, conditional_headers, validators_of
from newscrawl.urls import first_url, urlname


class ConditionalLists:
    """Mixed into NewsSpider (which sets `conditional`, `full`, `backfill`, `store` and `list_validators`)."""

    def list_condition(self, url: str, column: str) -> dict[str, str]:
        """The If-None-Match / If-Modified-Since headers for a list page, or {} to ask it plainly.

        Only a column read to its end by a finished crawl is asked conditionally: a 304 stops the
        column, which an unfinished first crawl must not do.
        """
        if not self.conditional or self.full or self.backfill:
            return {}
        stored = self.store.validators(url)
        if not stored or not self.store.column_complete(column):
            return {}
        return conditional_headers(*stored)

    def list_not_modified(self, response, source_name: str) -> bool:
        """True (counted) when the server answered 304: the page is as it was when last read."""
        if response.status != NOT_MODIFIED:
            return False
        self.count("lists/not_modified", source=source_name)
        self.logger.debug("list page %s not modified since it was last read", response.url)
        return True

    def remember_list_page(self, response, links: list[str]) -> None:
        """Keep the validators a list page came with, to be saved once its articles are all recorded."""
        if not self.conditional:
            return
        etag, last_modified = validators_of(response)
        if etag or last_modified:
            # kept under the URL the page was asked as, before any redirect
            self.list_validators[first_url(response)] = (etag, last_modified, [urlname(u) for u in links])

    def save_list_validators(self) -> int:
        """At the end of a finished crawl: the validators of every list page whose every article link
        is now recorded in the state (archived, a repost, or a failure queued for a retry). A page
        with an article that went nowhere (dropped, or lost to a bug) is read in full next time."""
        pages = []
        for url, (etag, last_modified, names) in self.list_validators.items():
            missing = self.store.unrecorded(names)
            if missing:
                self.logger.debug("%s: %d of its articles are not recorded: read in full next run", url, len(missing))
                self.store.forget_validators(url)
                continue
            pages.append((url, etag, last_modified))
        if pages:
            self.store.save_validators(pages)
        return len(pages)
