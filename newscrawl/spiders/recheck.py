"""Re-checks: archived articles asked again as they age (conditionally); an edit rewrites the file."""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy

from newscrawl.conditional import NOT_MODIFIED, conditional_headers
from newscrawl.config import Source
from newscrawl.middlewares import BlockedRequest
from newscrawl.outcomes import download_error, recheck_failed
from newscrawl.recheck import GONE_STATUSES, withdrawn_notice
from newscrawl.urls import first_url, is_wechat_url

RECHECK_KEY = "newscrawl_recheck"  # request meta: the urlname of the archived article re-checked


def moved_elsewhere(response) -> str | None:
    """The URL a re-checked article redirected to, when that is another page (not just http -> https)."""
    redirects = response.meta.get("redirect_urls")
    if not redirects:
        return None
    before, after = urlsplit(redirects[0]), urlsplit(response.url)
    if (before.hostname, before.path, before.query) == (after.hostname, after.path, after.query):
        return None
    return response.url


class Rechecks:
    """Mixed into NewsSpider (which sets `store`, `conditional`, `recheck_all`, `recheck_stages`,
    `recheck_per_run` and parses the article with `parse_article`)."""

    def recheck_requests(self, sources: list[Source]):
        """The archived articles due a re-check: NEWSCRAWL_RECHECK's stages after publication, at most
        NEWSCRAWL_RECHECK_PER_RUN per source; with -a recheck=1, every archived article of the source.
        WeChat posts are not re-checked (WeChat shows edits as a new post)."""
        if not (self.recheck_all or self.recheck_stages):
            return
        for source in sources:
            rows = self.store.recheck_candidates(
                source.name, None if self.recheck_all else self.recheck_stages,
                limit=None if self.recheck_all else self.recheck_per_run)
            for row in rows:
                if is_wechat_url(row["url"]) or not self.new_article_link(row["url"]):
                    continue
                self.count("rechecks/requested", source=source.name)
                yield self.recheck_request(row, source)

    def recheck_request(self, row: dict, source: Source) -> scrapy.Request:
        headers = conditional_headers(row["etag"], row["last_modified"]) if self.conditional else {}
        meta = self.meta_for(source, "article", **{RECHECK_KEY: row["urlname"]})
        # 304 (unchanged) and 404/410 (withdrawn) are answers here, not errors
        meta["handle_httpstatus_list"] = [NOT_MODIFIED, *GONE_STATUSES]
        return scrapy.Request(row["url"], callback=self.parse_recheck, errback=self.recheck_error, headers=headers,
                              dont_filter=True, priority=-1, cb_kwargs={"cms": "auto"}, meta=meta)

    def parse_recheck(self, response, cms: str = "auto"):
        name = response.meta[RECHECK_KEY]
        source = self.source_of(response)
        if response.status == NOT_MODIFIED:
            self.count("rechecks/not_modified", source=source.name)
            self.store.mark_checked(name)
            return
        requested = first_url(response)
        reason = withdrawn_notice(response.status, getattr(response, "text", ""), response.url, requested)
        if reason:
            self.count("articles/withdrawn", source=source.name)
            self.store.mark_withdrawn(name, reason)
            self.logger.warning("article withdrawn by the site (%s): recorded, its archive file kept <%s>",
                                reason, self.published_url(response))
            return
        moved = moved_elsewhere(response)
        if moved:
            # a deleted article often redirects to its column or the home page: never archived in its place
            recheck_failed(self.crawler.stats, requested, source.name, "redirected",
                           f"redirected to another page ({moved}): the archived file is kept")
            return
        # a 200 with the article: the pipelines compare its text with the archived file
        yield from self.parse_article(response, cms)

    def recheck_error(self, failure):
        request = failure.request
        source = request.meta.get("newscrawl_source") or self.source_name
        # an anti-bot wall too: the middleware leaves an article request's wall to its spider
        if failure.check(BlockedRequest):
            kind, reason = "blocked", failure.getErrorMessage()
        else:
            kind, reason = download_error(failure.value)
        recheck_failed(self.crawler.stats, request.url, source, kind, reason)
