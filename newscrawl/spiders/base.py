"""The shared crawl logic: list pages -> new article links -> article pages -> items."""

from __future__ import annotations

import re
from datetime import datetime

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError as TwistedTimeoutError,
)

from newscrawl import __version__
from newscrawl.config import Source, adhoc_source, load_sources, source_for_host
from newscrawl.dates import CHINA_TZ
from newscrawl.extract.article import extract_article
from newscrawl.extract.detect import is_login_page
from newscrawl.extract.lists import extract_list
from newscrawl.items import ArticleItem
from newscrawl.middlewares import BlockedRequest
from newscrawl.state import StateError, store_for
from newscrawl.spiders.wechat import WeChatPosts
from newscrawl.urls import canonical_url, host_of, is_wechat_url, urlname

UNREACHABLE = (CannotResolveHostError, DownloadConnectionRefusedError, DNSLookupError, ConnectError)
ERROR_NAMES = {
    "ResponseDataLossError": "truncated",       # the body ended before its Content-Length
    "DownloadCancelledError": "too_large",      # DOWNLOAD_MAXSIZE reached
    "DownloadFailedError": "connection_lost",   # reset or closed mid-answer
}
TIMEOUTS = (DownloadTimeoutError, TCPTimedOutError, TwistedTimeoutError)
FIRST_INT_RE = re.compile(r"-?\d+")
LOGIN_URL_RE = re.compile(r"login|authserver|/cas/|sso", re.I)


def split_arg(value) -> list[str]:
    """A comma-separated -a argument as a list ('' and None give [])."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class NewsSpider(WeChatPosts, scrapy.Spider):
    """Base of every newscrawl spider: -a lists=URL,URL  -a max_pages=N  -a full=1."""

    source_name: str | None = None  # set on the spiders built from sources.yaml

    def __init__(self, *args, lists=None, max_pages=None, full=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_args = split_arg(lists)
        self.max_pages_arg = max_pages
        self.full = truthy(full) if full is not None else False
        self.completed_columns: set[str] = set()
        self.requested_articles: set[str] = set()

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
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
        spider.max_pages = int(spider.max_pages_arg) if spider.max_pages_arg else settings.getint("NEWSCRAWL_MAX_PAGES", 0)
        spider.fetch_views = settings.getbool("NEWSCRAWL_VIEWS", True)
        spider.stop_at_known_page = settings.getbool("NEWSCRAWL_STOP_AT_KNOWN_PAGE", True)
        spider.full = spider.full or settings.getbool("NEWSCRAWL_FULL", False)
        try:
            # not spider.state: Scrapy keeps JOBDIR's persisted dict there
            spider.store = store_for(crawler)
        except StateError as exc:
            raise SystemExit(f"newscrawl: {exc}") from None
        if spider.source is not None:
            spider.allowed_domains = list(spider.source.domains)
        return spider

    # ---- counting -------------------------------------------------------------------------
    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", n)

    # ---- sources --------------------------------------------------------------------------
    def source_for(self, url: str) -> Source:
        """The configured source of this spider, else the one covering the URL's host, else ad hoc."""
        if self.source is not None:
            return self.source
        return source_for_host(self.sources, host_of(url)) or adhoc_source(url)

    def list_pages(self) -> list[tuple[str, str]]:
        """(url, cms) of the list pages to read: -a lists=… replaces the configured ones."""
        if self.list_args:
            return [(url, "auto") for url in self.list_args]
        if self.source is not None:
            return [(lp.url, lp.cms) for lp in self.source.lists]
        return []

    def selectors_for(self, source: Source) -> dict:
        return dict(source.selectors or {})

    # ---- requests -------------------------------------------------------------------------
    async def start(self):
        pages = self.list_pages()
        if not pages:
            self.logger.error("nothing to crawl: no list pages configured and no -a lists=URL given")
        for url, cms in pages:
            yield self.list_request(url, cms, page_no=1, column=url)

    def list_request(self, url: str, cms: str, page_no: int, column: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_list, errback=self.on_error, dont_filter=page_no == 1,
            cb_kwargs={"cms": cms, "page_no": page_no, "column": column}, meta={"newscrawl_kind": "list"},
        )

    def article_request(self, url: str, cms: str = "auto") -> scrapy.Request:
        if is_wechat_url(url):
            return self.wechat_request(url)
        # dont_filter: duplicates are skipped by new_article_link instead, so that a redirect loop
        # reaches REDIRECT_MAX_TIMES and is counted rather than vanishing in the dupefilter
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
            cb_kwargs={"cms": cms}, meta={"newscrawl_kind": "article"},
        )

    def new_article_link(self, url: str) -> bool:
        """False for a link already requested in this crawl (pinned rows repeat on every page)."""
        if url in self.requested_articles:
            return False
        self.requested_articles.add(url)
        return True

    # ---- list pages -----------------------------------------------------------------------
    def parse_list(self, response, cms: str, page_no: int, column: str = ""):
        self.count("lists/read")
        source = self.source_for(response.url)
        page = extract_list(response.text, response.url, cms, self.selectors_for(source).get("list_links"))
        links = [link for link in page.links if self.allowed(link, source) or self.follow_wechat(link, source)]
        self.count("links/offsite", len(page.links) - len(links))
        self.count("articles/found", len(links))
        if not links:
            self.count("lists/empty")
            self.logger.warning("list page %s (page %d, %s) has no article links: has the site's layout changed?",
                                response.url, page_no, page.cms)
        new = 0
        for link in links:
            if not self.full and self.store.has(urlname(link)):
                self.count("articles/already_archived")
                continue
            new += 1
            if self.new_article_link(link):
                self.count("articles/new")
                yield self.article_request(link, page.cms)
        if not page.next_url:
            self.completed_columns.add(column or response.url)
            return
        if self.max_pages and page_no >= self.max_pages:
            self.logger.info("stopping at page %d of %s (max_pages)", page_no, response.url)
            return
        if (links and new == 0 and self.stop_at_known_page and not self.full
                and self.store.column_complete(column or response.url)):
            self.logger.info("every article on %s is archived already: not reading older pages", response.url)
            return
        yield self.list_request(page.next_url, cms, page_no + 1, column or response.url)

    def closed(self, reason):
        """Columns read to their end count as complete only if the whole crawl finished."""
        if reason == "finished":
            for column in self.completed_columns:
                self.store.mark_column_complete(column)
        self.store.close()

    @staticmethod
    def allowed(url: str, source: Source) -> bool:
        """Links off the source's (university's) domains are not followed."""
        return source.owns_host(host_of(url))

    # ---- article pages --------------------------------------------------------------------
    def parse_article(self, response, cms: str = "auto"):
        url = self.published_url(response)
        source = self.source_for(url)
        extracted = extract_article(response.text, url, cms, self.selectors_for(source))
        if not extracted.paragraphs and (is_login_page(response.text) or LOGIN_URL_RE.search(response.url)):
            self.count("dropped/login_page")
            self.logger.warning("%s answered with a login page, not the article: skipped", url)
            return
        for note in extracted.notes:
            self.logger.info("%s: %s", url, note)
        self.count(f"articles/extracted/{extracted.cms}")
        item = build_item(extracted, url, source)
        if item.views is None and extracted.views_url and self.fetch_views:
            yield scrapy.Request(
                extracted.views_url, callback=self.parse_views, errback=self.views_failed,
                cb_kwargs={"item": item}, dont_filter=True, meta={"newscrawl_kind": "views"},
            )
            return
        yield item

    @staticmethod
    def published_url(response) -> str:
        """The URL the article was linked as, before any redirect: its identity in the archive."""
        redirects = response.meta.get("redirect_urls")
        return canonical_url(redirects[0] if redirects else response.url)

    def parse_views(self, response, item: ArticleItem):
        match = FIRST_INT_RE.search(response.text or "")
        item.views = int(match.group()) if match and int(match.group()) >= 0 else None
        self.count("views/fetched" if item.views is not None else "views/unreadable")
        yield item

    def views_failed(self, failure):
        # a failed view count leaves views null, never loses the article
        self.count("views/failed")
        yield failure.request.cb_kwargs["item"]

    # ---- errors ---------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("newscrawl_kind", "request")
        if failure.check(BlockedRequest):
            return  # counted and logged by the anti-bot middleware
        if failure.check(HttpError):
            status = failure.value.response.status
            self.count(f"errors/http_{status}")
            reason = f"HTTP {status}"
        elif failure.check(*UNREACHABLE):
            self.count("errors/unreachable")
            reason = f"unreachable ({failure.type.__name__})"
        elif failure.check(*TIMEOUTS):
            self.count("errors/timeout")
            reason = "timed out"
        elif failure.check(IgnoreRequest):
            self.count("errors/ignored")  # redirect loop, robots.txt, size limit
            reason = f"not fetched: {failure.getErrorMessage()}"
        else:
            kind_name = ERROR_NAMES.get(failure.type.__name__, failure.type.__name__)
            self.count(f"errors/{kind_name}")
            reason = f"{kind_name}: {failure.getErrorMessage()}"
        self.count(f"{'lists' if kind == 'list' else 'articles'}/failed")
        self.logger.warning("%s page failed: %s <%s>", kind, reason, request.url)


def build_item(extracted, url: str, source: Source) -> ArticleItem:
    """An item from what the extractor found and who the source is."""
    return ArticleItem(
        url=url, source=source.name, school=source.school, archive=source.archive,
        tags=list(source.tags), categories=list(source.categories), cms=extracted.cms,
        title=extracted.title, published=extracted.published, crawled_at=datetime.now(CHINA_TZ),
        author=extracted.author, department=extracted.department, editor=extracted.editor,
        views=extracted.views, paragraphs=list(extracted.paragraphs), images=list(extracted.images),
        attachments=list(extracted.attachments), original_title=extracted.original_title,
    )

