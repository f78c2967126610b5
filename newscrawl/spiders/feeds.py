"""Columns read through their CMS's own feed (WebPlus list API, VSB RSS) past their first page.

Page 1 is always the HTML list (it is what a conditional request keeps cheap, and what names the
feed). When the column goes on past it (a first crawl, a backfill, a busy hour), the feed's rows
replace the HTML pages: one request for NEWSCRAWL_FEED_ROWS rows. A page cap (`-a max_pages`,
NEWSCRAWL_MAX_PAGES) bounds the rows as it bounds the HTML pages (the cap times page 1's rows); a
feed that would replace a single HTML page saves nothing and is not asked. A feed that does not answer as
the CMS's does, or lists other rows than the page, is not used: the HTML pages are read as before.
Every decision is counted (feeds/…) and logged.
"""

from __future__ import annotations

import time

import scrapy

from newscrawl.config import Source
from newscrawl.feeds import VSB_RSS, Feed, FeedError, agrees, detect_feed, feed_request, parse_feed
from newscrawl.middlewares import BlockedRequest

FEED_RETRY_AFTER = 30 * 86400  # a column whose feed did not answer is not asked again for this long


class ColumnFeeds:
    """Mixed into NewsSpider (which sets `feeds`, `feed_rows`, `store` and reads lists with parse_list)."""

    def column_feed_request(self, response, page, links: list[str], column: str, source: Source, cms: str):
        """The first feed request for a column that goes on past page 1, or None to read its HTML pages."""
        if not self.feeds or not links:  # a feed is checked against page 1's rows
            return None
        budget = self.max_pages * len(links) if self.max_pages else None  # rows of the pages allowed
        if budget is not None and budget - len(links) < 2 * len(links):
            self.count("feeds/not_worth", source=source.name)
            self.logger.debug("%s: one more page allowed (max_pages %d): reading it as HTML", column, self.max_pages)
            return None
        stored = self.store.feed(column)
        if stored and stored["kind"] == "none":
            if time.time() - stored["checked_at"] < FEED_RETRY_AFTER:
                self.count("feeds/unavailable", source=source.name)
                self.logger.debug("%s: its feed did not answer lately (%s): reading its HTML pages", column,
                                  stored["reason"])
                return None
            stored = None
        if stored:
            feed = Feed(stored["kind"], stored["endpoint"], stored["params"])
        else:
            feed = detect_feed(response.text, response.url, page.cms, links)
        if feed is None:
            self.count("feeds/none", source=source.name)
            self.logger.debug("%s: no CMS feed named on its first page: reading its HTML pages", column)
            return None
        rows = min(self.feed_rows, budget) if budget is not None else self.feed_rows
        return self.feed_page_request(feed, 1, column, source, cms, page.cms, links, page.next_url, page_no=1,
                                      rows=rows, budget=budget)

    def feed_page_request(self, feed: Feed, page_index: int, column: str, source: Source, cms: str,
                          article_cms: str, html_links: list[str], next_url: str | None, page_no: int,
                          rows: int, budget: int | None):
        """One page of `rows` rows; `budget` is how many rows the page cap allows in all (None: no cap)."""
        args = feed_request(feed, page_index, rows)
        meta = self.meta_for(source, "list", newscrawl_column=column)
        meta["handle_httpstatus_all"] = True  # an error status means "no feed here", decided in parse_feed
        return scrapy.Request(
            args["url"], method=args["method"], body=args["body"] or b"", headers={**args["headers"], "Referer": column},
            callback=self.parse_feed, errback=self.feed_failed, dont_filter=True, meta=meta,
            cb_kwargs={"feed": feed, "column": column, "cms": cms, "article_cms": article_cms, "page_index": page_index,
                       "html_links": html_links, "next_url": next_url, "page_no": page_no, "rows": rows,
                       "budget": budget})

    def parse_feed(self, response, feed: Feed, column: str, cms: str, article_cms: str, page_index: int,
                   html_links: list[str], next_url: str | None, page_no: int, rows: int, budget: int | None):
        source = self.source_of(response)
        try:
            if response.status != 200:
                raise FeedError(f"HTTP {response.status}")
            result = parse_feed(feed, response.body, response.url)
            if page_index == 1 and not agrees(result.links, html_links):
                raise FeedError("its rows are not the ones the HTML list shows")
        except FeedError as exc:
            yield from self.feed_unavailable(feed, column, source, str(exc), response.status, cms, page_index,
                                             next_url, page_no)
            return
        self.count("lists/read", source=source.name)
        self.count("feeds/pages", source=source.name)
        if page_index == 1:
            self.count(f"feeds/{feed.kind}", source=source.name)
            self.logger.info("%s: reading its rows through %s, %d a request", column, feed.describe(), rows)
            self.store.save_feed(column, feed.kind, feed.endpoint, feed.params)
        shown = set(html_links)  # page 1's rows were followed by parse_list already
        links = [link for link in result.links
                 if link not in shown and (self.allowed(link, source) or self.follow_wechat(link, source))]
        self.count("articles/found", len(links), source=source.name)
        requests, new = self.article_requests(links, article_cms, source, column)
        yield from requests
        more = (result.total > page_index * rows if result.total is not None
                else len(result.links) >= rows)
        if feed.kind == VSB_RSS:
            # RSS has no pages: rows older than it gives are on the HTML pages (read as before)
            if more and next_url:
                yield self.list_request(next_url, cms, page_no + 1, column, source=source)
            else:
                self.completed_columns.add(column)
            return
        if not more or not result.links:
            self.completed_columns.add(column)
            return
        if budget is not None and page_index * rows >= budget:
            self.count("lists/page_cap", source=source.name)
            self.logger.info("stopping at feed page %d of %s (max_pages %d: %d rows)", page_index, column,
                             self.max_pages, budget)
            return
        here, after = f"{feed.endpoint}&pageIndex={page_index}", f"{feed.endpoint}&pageIndex={page_index + 1}"
        if self.repeats_a_page(column, here, result.links, after):
            self.count("lists/page_repeat", source=source.name)
            self.logger.warning("%s: feed page %d repeats a page already read in this run: stopping", column, page_index)
            return
        if self.stops_at_known(links, new, column):
            self.logger.info("%s: every article on feed page %d is archived already: not reading older rows",
                             column, page_index)
            return
        yield self.feed_page_request(feed, page_index + 1, column, source, cms, article_cms, [], None, page_no + 1,
                                     rows=rows, budget=budget)

    def feed_unavailable(self, feed: Feed, column: str, source: Source, reason: str, status: int, cms: str,
                         page_index: int, next_url: str | None, page_no: int):
        """Not the CMS's answer: the column's HTML pages as before (and the feed not asked for a while,
        unless the failure looks passing: a server error, a refused connection)."""
        self.count("feeds/unavailable", source=source.name)
        self.logger.info("%s: %s did not answer as the CMS's does (%s): reading its HTML pages", column,
                         feed.describe(), reason)
        if status and status < 500 and status != 429:
            self.store.save_feed(column, "none", reason=reason)
        if page_index == 1 and next_url:
            yield self.list_request(next_url, cms, page_no + 1, column, source=source)

    def feed_failed(self, failure):
        kwargs = failure.request.cb_kwargs
        source = self.source_of(failure.request)  # a request carries its source in meta, as its response does
        reason = "anti-bot page" if failure.check(BlockedRequest) else f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield from self.feed_unavailable(kwargs["feed"], kwargs["column"], source, reason, 0, kwargs["cms"],
                                         kwargs["page_index"], kwargs["next_url"], kwargs["page_no"])
