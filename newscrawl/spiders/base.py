"""The shared crawl logic: list pages -> new article links -> article pages -> items."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawl import __version__
from newscrawl.conditional import NOT_MODIFIED, validators_of
from newscrawl.config import Source, adhoc_source, load_sources, source_for_host
from newscrawl.dates import CHINA_TZ
from newscrawl.extract.article import extract_article
from newscrawl.extract.confidence import DOUBTFUL
from newscrawl.extract.detect import is_login_page
from newscrawl.extract.errorpage import SHORT_PAGE_CHARS, error_page, moved_home
from newscrawl.extract.lists import extract_list
from newscrawl.items import FILES_FIELD, ArticleItem, FileRetry
from newscrawl.middlewares import BlockedRequest, OffsiteRequest
from newscrawl.outcomes import article_failed, count, download_error, one_line, recheck_failed
from newscrawl.recheck import parse_schedule
from newscrawl.state import StateError, store_for
from newscrawl.spiders.conditional import ConditionalLists
from newscrawl.spiders.feeds import ColumnFeeds
from newscrawl.spiders.recheck import RECHECK_KEY, Rechecks
from newscrawl.spiders.walls import WallVerdicts
from newscrawl.spiders.wechat import WeChatPosts
from newscrawl.urls import canonical_url, first_url, host_of, is_wechat_url, urlname

FIRST_INT_RE = re.compile(r"-?\d+")
# single-sign-on paths; bounded so that "professor", "lesson" or "association" do not match
LOGIN_URL_RE = re.compile(r"(?:^|[/.?&=_-])(?:login|authserver|cas|sso)(?:$|[/.?&=_-])", re.I)
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


class ArgumentError(ValueError):
    """A spider argument (-a) that cannot be used; the message is one line for the user."""


def split_arg(value) -> list[str]:
    """A comma-separated -a argument as a list ('' and None give [])."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def truthy(value) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


def http_urls(name: str, value) -> list[str]:
    urls = split_arg(value)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(f"-a {name}: not an http(s) URL: {url!r}")
    return urls


class NewsSpider(ConditionalLists, ColumnFeeds, Rechecks, WallVerdicts, WeChatPosts, scrapy.Spider):
    """Base of every newscrawl spider: -a lists=URL,URL  -a max_pages=N  -a full=1  -a recheck=1  -a backfill=1."""

    source_name: str | None = None  # set on the spiders built from sources.yaml
    arguments = {"lists": "list pages to read instead of the configured ones",
                 "max_pages": "list pages per column, 0 = no cap",
                 "full": "1 re-fetches articles already archived",
                 "recheck": "1 re-checks every archived article of the source now",
                 "backfill": "1 reads each column's whole history (through its CMS feed where one answers)"}
    switches = ("full", "recheck", "backfill")  # -a NAME=1/0

    def __init__(self, *args, lists=None, max_pages=None, full=None, recheck=None, backfill=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_arguments({"lists": lists, "max_pages": max_pages, "full": full, "recheck": recheck,
                              "backfill": backfill, **kwargs})
        self.list_args = http_urls("lists", lists)
        self.max_pages_arg = max_pages
        self.full, self.recheck_all, self.backfill = truthy(full), truthy(recheck), truthy(backfill)
        self.completed_columns: set[str] = set()
        self.requested_articles: set[str] = set()
        self.page_fingerprints: dict[str, set[str]] = {}
        self.sources_by_name: dict[str, Source] = {}
        self.list_validators: dict[str, tuple] = {}  # list page -> its validators, saved at the end (conditional.py)

    @classmethod
    def check_arguments(cls, spargs: dict) -> None:
        """Raise ArgumentError for an -a argument this spider does not take or cannot read."""
        known = set()
        for klass in cls.__mro__:
            known |= set(getattr(klass, "arguments", {}))
        for key in spargs:
            if key in ("_job",):  # added by Scrapyd to every job
                continue
            if key not in known:
                raise ArgumentError(f"unknown argument -a {key} for spider {cls.name!r} (known: {', '.join(sorted(known))})")
        max_pages = spargs.get("max_pages")
        if max_pages not in (None, ""):
            if not str(max_pages).strip().isdigit():
                raise ArgumentError(f"-a max_pages: expected a whole number, got {max_pages!r}")
        for switch in cls.switches:
            value = spargs.get(switch)
            if value is not None and str(value).strip().lower() not in TRUE_WORDS + FALSE_WORDS:
                raise ArgumentError(f"-a {switch}: expected 1 or 0, got {value!r}")
        http_urls("lists", spargs.get("lists"))
        http_urls("url", spargs.get("url"))

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        fields_given = (settings.getpriority("FEED_EXPORT_FIELDS") or 0) > SETTINGS_PRIORITIES["project"]
        if settings.get("NEWSCRAWL_FILES") != "off" and not fields_given:
            # the kept files are exported too; with files off the export stays exactly as it was
            settings.set("FEED_EXPORT_FIELDS", [*settings.getlist("FEED_EXPORT_FIELDS"), FILES_FIELD], priority="spider")
        if not settings.get("USER_AGENT"):
            # names the project and how to reach its operator (NEWSCRAWL_CONTACT_URL)
            settings.set("USER_AGENT", f"newscrawl/{__version__} (+{settings.get('NEWSCRAWL_CONTACT_URL')})",
                         priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        # already validated by the spider loader, which stops a bad file with one line
        spider.sources = load_sources(settings.get("NEWSCRAWL_SOURCES_FILE") or None)
        spider.source = spider.sources.get(spider.source_name) if spider.source_name else None
        spider.max_pages = int(spider.max_pages_arg) if spider.max_pages_arg else settings.getint("NEWSCRAWL_MAX_PAGES")
        spider.max_links = settings.getint("NEWSCRAWL_MAX_LINKS_PER_PAGE")
        spider.max_attempts = settings.getint("NEWSCRAWL_MAX_ATTEMPTS")
        spider.fetch_views = settings.getbool("NEWSCRAWL_VIEWS")
        spider.stop_at_known_page = settings.getbool("NEWSCRAWL_STOP_AT_KNOWN_PAGE")
        spider.full = spider.full or settings.getbool("NEWSCRAWL_FULL")
        spider.files_mode = settings.get("NEWSCRAWL_FILES")
        spider.conditional = settings.getbool("NEWSCRAWL_CONDITIONAL")
        try:
            spider.recheck_stages = parse_schedule(settings.get("NEWSCRAWL_RECHECK"))
        except ValueError as exc:
            raise SystemExit(f"newscrawl: NEWSCRAWL_RECHECK: {exc}") from None
        spider.recheck_per_run = settings.getint("NEWSCRAWL_RECHECK_PER_RUN")
        spider.feeds = settings.getbool("NEWSCRAWL_FEEDS")
        spider.feed_rows = settings.getint("NEWSCRAWL_FEED_ROWS")
        try:
            # not spider.state: Scrapy keeps JOBDIR's persisted dict there
            spider.store = store_for(crawler)
        except StateError as exc:
            raise SystemExit(f"newscrawl: {exc}") from None
        return spider

    # ---- counting -------------------------------------------------------------------------
    def count(self, key: str, n: int = 1, source: str | None = None) -> None:
        count(self.crawler.stats, key, n, source or self.source_name)

    # ---- sources --------------------------------------------------------------------------
    def run_sources(self) -> list[Source]:
        """The configured sources this run crawls (one for a source's spider)."""
        return [self.source] if self.source is not None else []

    def source_for(self, url: str) -> Source:
        """The configured source of this spider, else the one covering the URL's host, else ad hoc."""
        if self.source is not None:
            return self.source
        source = source_for_host(self.sources, host_of(url)) or adhoc_source(url)
        self.sources_by_name.setdefault(source.name, source)
        return source

    def source_of(self, response) -> Source:
        """The source a request was made for (carried in its meta, kept across redirects)."""
        name = response.meta.get("newscrawl_source")
        source = self.sources_by_name.get(name) or self.sources.get(name)
        return source or self.source_for(first_url(response))

    def list_pages(self) -> list[tuple[str, str]]:
        """(url, cms) of the list pages to read: -a lists=… replaces the configured ones."""
        if self.list_args:
            return [(url, "auto") for url in self.list_args]
        if self.source is not None:
            return [(lp.url, lp.cms) for lp in self.source.lists]
        return []

    @staticmethod
    def selectors_for(source: Source, url: str) -> dict:
        """A source's selectors, only on the hosts of its own list pages and only if confirmed.

        They were written for those sites' templates: on any other host of the university (a
        jwc.… column read by the `site` spider) the page is detected, never read with them.
        """
        if source.status != "confirmed" or not source.selectors:
            return {}
        hosts = {host_of(lp.url) for lp in source.lists}
        return dict(source.selectors) if host_of(url) in hosts else {}

    @staticmethod
    def cms_for(source: Source, url: str, cms: str) -> str:
        """The configured CMS applies to the source's own list hosts; elsewhere it is detected."""
        if cms in (None, "", "auto") or source.status != "confirmed":
            return "auto"
        hosts = {host_of(lp.url) for lp in source.lists}
        return cms if not hosts or host_of(url) in hosts else "auto"

    # ---- requests -------------------------------------------------------------------------
    async def start(self):
        pages = self.list_pages()
        for request in self.retry_requests(self.run_sources()):
            yield request
        for request in self.recheck_requests(self.run_sources()):
            yield request
        if not pages:
            self.logger.error("nothing to crawl: no list pages configured and no -a lists=URL given")
        for url, cms in pages:
            yield self.list_request(url, cms, page_no=1, column=url, source=self.source_for(url))

    def retry_requests(self, sources):
        """Articles and files that failed in earlier runs, tried again first (a bounded number of times).

        A file is tried again as a FileRetry item: the files pipeline fetches it, the writer links
        the kept copy into the archived articles that link it.
        """
        for source in sources:
            for row in self.store.pending(source.name, self.max_attempts):
                if not self.new_article_link(row["url"]):
                    continue
                self.count("articles/retried", source=source.name)
                yield self.article_request(row["url"], row["cms"], source=source, column=row["column"], priority=1)
            if self.files_mode == "off":
                continue
            for row in self.store.files_pending(source.name, self.max_attempts):
                articles = self.store.articles_linking(row["url"])
                if articles:
                    self.count("files/retried", source=source.name)
                    yield FileRetry(url=row["url"], kind=row["kind"], source=source.name, articles=articles)

    def meta_for(self, source: Source, kind: str, **extra) -> dict:
        return {"newscrawl_kind": kind, "newscrawl_source": source.name,
                "newscrawl_domains": list(source.domains), **extra}

    def list_request(self, url: str, cms: str, page_no: int, column: str, source: Source | None = None) -> scrapy.Request:
        source = source or self.source_for(url)
        condition = self.list_condition(url, column)
        meta = self.meta_for(source, "list", newscrawl_column=column)
        if condition:
            meta["handle_httpstatus_list"] = [NOT_MODIFIED]  # "not modified" reaches parse_list, not the errback
        return scrapy.Request(
            url, callback=self.parse_list, errback=self.on_error, dont_filter=page_no == 1, headers=condition,
            cb_kwargs={"cms": cms, "page_no": page_no, "column": column}, meta=meta,
        )

    def article_request(self, url: str, cms: str = "auto", source: Source | None = None, column: str = "",
                        priority: int = 0) -> scrapy.Request:
        url = canonical_url(url)
        if is_wechat_url(url):
            return self.wechat_request(url, source or self.source_for(url), column)
        # dont_filter: duplicates are skipped by new_article_link instead, so that a redirect loop
        # reaches REDIRECT_MAX_TIMES and is counted rather than vanishing in the dupefilter; the
        # offsite guard (middlewares.OffsiteGuardMiddleware) keeps the request on the source
        source = source or self.source_for(url)
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.on_error, dont_filter=True, priority=priority,
            cb_kwargs={"cms": cms}, meta=self.meta_for(source, "article", newscrawl_column=column),
        )

    def new_article_link(self, url: str) -> bool:
        """False for a link already requested in this crawl (pinned rows repeat on every page; a failed
        article is both retried and listed)."""
        url = canonical_url(url)
        if url in self.requested_articles:
            return False
        self.requested_articles.add(url)
        return True

    def is_known(self, link: str) -> str | None:
        """Why the link is not fetched ('archived', 'given_up'; StateStore.known), or None: fetch it."""
        return None if self.full else self.store.known(urlname(link), self.max_attempts)

    def skip_known(self, link: str, source: str | None = None) -> bool:
        """True for a listed link not to fetch (is_known), counted under why: archived, or given up earlier."""
        known = self.is_known(link)
        if known:
            self.count("articles/already_archived" if known == "archived" else "articles/given_up_earlier", source=source)
        return bool(known)

    # ---- list pages -----------------------------------------------------------------------
    def parse_list(self, response, cms: str, page_no: int, column: str = ""):
        source = self.source_of(response)
        column = column or response.url
        if self.list_not_modified(response, source.name):
            return  # as it was when last read: nothing new on it, and the column is as complete as it was
        self.count("lists/read", source=source.name)
        self.host_answered(response.url)
        try:
            selectors = self.selectors_for(source, response.url)
            page = extract_list(response.text, response.url, self.cms_for(source, response.url, cms),
                                selectors.get("list_links"), selectors.get("list_link_url"))
        except Exception as exc:  # a page that breaks the parser is a failed list page, not a traceback
            self.count("lists/failed", source=source.name)
            self.count("errors/list_unreadable", source=source.name)
            self.logger.error("list page unreadable (%s): %s <%s>", type(exc).__name__, one_line(str(exc)), response.url)
            return
        # one identity per article from here on: requested, looked up and recorded in the same form
        links = [canonical_url(link) for link in page.links]
        links = [link for link in links if self.allowed(link, source) or self.follow_wechat(link, source)]
        self.count("links/offsite", len(page.links) - len(links), source=source.name)
        if self.max_links and len(links) > self.max_links:
            self.count("lists/link_cap", source=source.name)
            self.logger.warning("list page %s has %d article links: following the first %d "
                                "(NEWSCRAWL_MAX_LINKS_PER_PAGE)", response.url, len(links), self.max_links)
            links = links[: self.max_links]
        self.count("articles/found", len(links), source=source.name)
        if not links:
            self.count("lists/empty", source=source.name)
            notice = error_page(response.text)
            if notice is not None:  # a maintenance or not-found page in place of the list: not a new layout
                self.count("list_errors/error_page", source=source.name)
                self.logger.warning("list page %s answered an error page, not the list (%s: %s)", response.url,
                                    notice.kind, notice.message)
            else:
                self.logger.warning("list page %s (page %d, %s) has no article links: has the site's layout changed?",
                                    response.url, page_no, page.cms)
        if links:
            self.remember_list_page(response, links)
        requests, new = self.article_requests(links, page.cms, source, column)
        yield from requests
        if not page.next_url:
            self.completed_columns.add(column)
            return
        if self.max_pages and page_no >= self.max_pages:
            self.count("lists/page_cap", source=source.name)
            self.logger.info("stopping at page %d of %s (max_pages %d)", page_no, column, self.max_pages)
            return
        if self.repeats_a_page(column, response.url, links, page.next_url):
            self.count("lists/page_repeat", source=source.name)
            self.logger.warning("list page %s repeats a page already read in this run: stopping %s", response.url, column)
            return
        if self.stops_at_known(links, new, column):
            self.logger.info("every article on %s is archived already: not reading older pages", response.url)
            return
        if page_no == 1:
            # many pages' rows in one request, where the column's CMS feed answers
            feed_request = self.column_feed_request(response, page, links, column, source, cms)
            if feed_request is not None:
                yield feed_request
                return
        yield self.list_request(page.next_url, cms, page_no + 1, column, source=source)

    def article_requests(self, links: list[str], cms: str, source: Source, column: str) -> tuple[list, int]:
        """Requests for a list's links not archived yet, and how many of its links were new."""
        requests, new = [], 0
        for link in links:
            if self.skip_known(link, source.name):
                continue
            new += 1
            if self.new_article_link(link):
                self.count("articles/new", source=source.name)
                requests.append(self.article_request(link, cms, source=source, column=column))
        return requests, new

    def stops_at_known(self, links: list[str], new: int, column: str) -> bool:
        """A page of articles all archived ends the run's reading of a column read to its end before."""
        return bool(links and new == 0 and self.stop_at_known_page and not self.full and not self.backfill
                    and self.store.column_complete(column))

    def repeats_a_page(self, column: str, url: str, links: list[str], next_url: str) -> bool:
        """Endless pagination: the same rows again, or a next page already read in this run."""
        seen = self.page_fingerprints.setdefault(column, set())
        rows = hashlib.md5("\n".join(links).encode()).hexdigest() if links else None
        repeat = (rows is not None and rows in seen) or canonical_url(next_url) in seen or next_url == url
        seen.update(x for x in (rows, canonical_url(url)) if x)
        return repeat

    def closed(self, reason):
        """Columns read to their end count as complete only if the whole crawl finished and none of
        their articles is still pending a retry."""
        try:
            self.judge_walls()  # first: an article given up now no longer keeps its column incomplete
            if reason == "finished":
                for column in self.completed_columns:
                    if self.store.column_has_pending(column, self.max_attempts):
                        self.logger.info("%s has failed articles pending: not marked complete", column)
                        continue
                    self.store.mark_column_complete(column)
                self.save_list_validators()
        except Exception as exc:
            self.count("errors/state_failed")
            self.logger.error("could not record completed columns and list validators in the state: %s", one_line(str(exc)))
        finally:
            self.store.close()

    @staticmethod
    def allowed(url: str, source: Source) -> bool:
        """Links off the source's (university's) domains are not followed."""
        return source.owns_host(host_of(url))

    # ---- article pages --------------------------------------------------------------------
    def parse_article(self, response, cms: str = "auto"):
        url = self.published_url(response)
        source = self.source_of(response)
        column = response.meta.get("newscrawl_column", "")
        recheck = bool(response.meta.get(RECHECK_KEY))
        self.host_answered(response.url, article=True)
        if not isinstance(response, TextResponse):
            self.fail(url, source, "not_html", f"the article URL answered {response.headers.get('Content-Type', b'?')!r}",
                      column, cms, recheck)
            return
        try:
            extracted = extract_article(response.text, url, self.cms_for(source, url, cms),
                                        self.selectors_for(source, url), base_url=response.url)
        except Exception as exc:  # RecursionError on absurd nesting, a parser bug: counted, never a traceback
            self.fail(url, source, "extract_failed", f"{type(exc).__name__}: {exc}", column, cms, recheck)
            return
        notice = moved_home(response.url, first_url(response))
        if notice is None and sum(map(len, extracted.paragraphs)) < SHORT_PAGE_CHARS:
            notice = error_page(response.text)  # only a page with little text can be a notice: cheap
        if notice is not None:
            # a failure like an HTTP error (retried next run), never an article nor a repost of one
            self.fail(url, source, "error_page", f"the site answered an error page, not the article "
                      f"({notice.kind}: {notice.message})", column, cms, recheck)
            return
        weak = not extracted.paragraphs or (extracted.confidence is not None and extracted.confidence < DOUBTFUL)
        if weak and (is_login_page(response.text) or LOGIN_URL_RE.search(urlsplit(response.url).path)):
            self.drop(url, source, "login_page", "answered with a login page, not the article", recheck)
            return
        for note in extracted.notes:
            self.logger.debug("%s: %s", url, note)
        if extracted.page_kind == "not_article":
            self.drop(url, source, "not_article", "; ".join(extracted.doubts[-1:]), recheck)
            if not recheck:
                self.remember_not_article(url, source)
            return
        self.count(f"articles/extracted/{extracted.cms}", source=source.name)
        self.note_confidence(url, source, extracted)
        item = build_item(extracted, url, source, column, response.meta.get("newscrawl_fetched_at"))
        item.recheck = recheck
        item.etag, item.last_modified = validators_of(response)
        # a view count is not part of the archive file: a re-check does not ask for it
        if item.views is None and extracted.views_url and self.fetch_views and not recheck:
            yield scrapy.Request(
                extracted.views_url, callback=self.parse_views, errback=self.views_failed,
                cb_kwargs={"item": item}, dont_filter=True,
                meta=self.meta_for(source, "views", newscrawl_extra_domains=[host_of(response.url)]),
            )
            return
        yield item

    def drop(self, url: str, source: Source, reason: str, detail: str, recheck: bool = False) -> None:
        """A page that is no article to archive: counted under its reason, one line. On a re-check the
        archived article stays as it is: a failed re-check, looked at again at its next turn."""
        if recheck:
            recheck_failed(self.crawler.stats, url, source.name, reason, detail)
            return
        self.count(f"dropped/{reason}", source=source.name)
        self.logger.warning("dropped (%s): %s <%s>", reason, one_line(detail), url)

    def remember_not_article(self, url: str, source: Source) -> None:
        """A channel or list page reached as an article: recorded, so that the next runs do not fetch it
        again (an article archived under its URL keeps its row: record_known)."""
        try:
            self.store.record_known(urlname=urlname(url), url=url, source=source.name, kind="not_article")
        except Exception as exc:  # the state failing: the page is fetched again next run, nothing lost
            self.logger.error("could not record the page in the state: %s <%s>", one_line(str(exc)), url)

    def note_confidence(self, url: str, source: Source, extracted) -> None:
        """A doubtful extraction is archived all the same, and said: counted, one line with why."""
        if extracted.confidence is not None and extracted.confidence < DOUBTFUL:
            self.count("extract/doubtful", source=source.name)
            self.logger.warning("doubtful extraction (confidence %.2f: %s) <%s>", extracted.confidence,
                                one_line("; ".join(extracted.doubts)), url)

    @staticmethod
    def build_item(extracted, url: str, source: Source, column: str = "", crawled_at=None) -> ArticleItem:
        """For the mixins (spiders/wechat.py), which do not import this module: no import cycle."""
        return build_item(extracted, url, source, column, crawled_at)

    @staticmethod
    def published_url(response) -> str:
        """The URL the article was linked as, before any redirect: its identity in the archive."""
        return canonical_url(first_url(response))

    def parse_views(self, response, item: ArticleItem):
        match = FIRST_INT_RE.search(response.text if isinstance(response, TextResponse) else "")
        item.views = int(match.group()) if match and int(match.group()) >= 0 else None
        self.count("views/fetched" if item.views is not None else "views/unreadable", source=item.source)
        yield item

    def views_failed(self, failure):
        # a failed view count leaves views null, never loses the article
        item = failure.request.cb_kwargs["item"]
        self.count("views/failed", source=item.source)
        yield item

    def fail(self, url: str, source: Source, kind: str, reason: str, column: str = "", cms: str = "auto",
             recheck: bool = False) -> None:
        if recheck:  # the archived file stays as it is; the article is looked at again next turn
            recheck_failed(self.crawler.stats, url, source.name, kind, reason)
            return
        article_failed(self.crawler, url=url, source=source.name, kind=kind, reason=reason, column=column, cms=cms)

    # ---- errors ---------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("newscrawl_kind", "request")
        source = request.meta.get("newscrawl_source") or self.source_name
        url = canonical_url(first_url(request))
        if failure.check(BlockedRequest):
            # a list page's wall is counted and logged by the anti-bot middleware; an article's is judged
            # at the end of the run, from what the rest of its site answered (spiders/walls.py)
            if kind == "article":
                self.article_walled(url, source, "blocked", str(failure.value), request)
            return
        if failure.check(OffsiteRequest):
            error = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
            reason = failure.getErrorMessage()
        else:
            if failure.check(HttpError):  # an answer, not a wall
                self.host_answered(failure.value.response.url, article=kind == "article")
            error, reason = download_error(failure.value)
            self.count(f"errors/{error}", source=source)
        if kind == "article":
            article_failed(self.crawler, url=url, source=source or "unknown", kind=error, reason=reason,
                           column=request.meta.get("newscrawl_column", ""), cms=request.cb_kwargs.get("cms", "auto"))
            return
        if kind == "list":
            self.count(f"list_errors/{error}", source=source)  # why no list page could be read (summary)
        self.count("lists/failed" if kind == "list" else f"{kind}/failed", source=source)
        self.logger.warning("%s page failed: %s <%s>", kind, one_line(reason), request.url)


def build_item(extracted, url: str, source: Source, column: str = "", crawled_at=None) -> ArticleItem:
    """An item from what the extractor found and who the source is.

    crawled_at: when the page was captured (NEWSCRAWL_WARC_DIR; `scrapy reextract` reads it back), else now.
    """
    return ArticleItem(
        url=url, source=source.name, school=source.school, archive=source.archive,
        tags=list(source.tags), categories=list(source.categories), cms=extracted.cms,
        title=extracted.title, published=extracted.published, crawled_at=crawled_at or datetime.now(CHINA_TZ),
        author=extracted.author, department=extracted.department, editor=extracted.editor,
        views=extracted.views, paragraphs=list(extracted.paragraphs), images=list(extracted.images),
        attachments=list(extracted.attachments), original_title=extracted.original_title, column=column,
        confidence=extracted.confidence, doubts=list(extracted.doubts),
        links=list(extracted.links),
    )
