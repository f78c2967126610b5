"""thepaper.cn (澎湃号): articles by -a url=, and a 澎湃号 account's articles through its list API."""

from __future__ import annotations

import json

import scrapy

from parsel import Selector

from newscrawl.config import PphAccount, Source
from newscrawl.extract.thepaper import account_of, article_url, next_data
from newscrawl.items import ArticleItem
from newscrawl.spiders.base import NewsSpider, split_arg
from newscrawl.urls import canonical_url

PAGE_SIZE = 20
THEPAPER_ORIGIN = "https://www.thepaper.cn"
THEPAPER_REFERER = "https://www.thepaper.cn/"


class ThePaperSpider(NewsSpider):
    """-a url=URL[,URL]: single articles.  -a pph=ID[,ID]: every article of those 澎湃号 accounts."""

    arguments = {"url": "the article URLs to fetch", "pph": "the 澎湃号 account ids to follow"}

    def __init__(self, *args, url=None, pph=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = split_arg(url)
        self.pph_args = split_arg(pph)
        self.listed_by: dict[str, str] = {}  # article URL -> the account whose list gave it

    def accounts(self) -> dict[str, PphAccount]:
        """The 澎湃号 accounts to follow, by id: -a pph=… replaces the configured ones."""
        configured = {a.id: a for a in (self.source.pph_accounts if self.source else ())}
        if self.pph_args:
            return {i: configured.get(i, PphAccount(id=i)) for i in self.pph_args}
        return configured

    async def start(self):
        accounts = self.accounts()
        if not (self.urls or accounts or self.list_pages()):
            self.logger.error("nothing to crawl: give -a url=URL or -a pph=ID, or set pph in sources.yaml")
        for url in self.urls:
            self.count("articles/requested")
            yield self.article_request(url, "thepaper").replace(dont_filter=True)
        for pph_id in accounts:
            yield self.pph_request(pph_id, page_no=1, start_time=None)
        for url, _ in self.list_pages():
            yield scrapy.Request(url, callback=self.parse_channel, errback=self.on_error,
                                 meta={"newscrawl_kind": "list"})

    # ---- an account's article list ---------------------------------------------------------
    def pph_request(self, pph_id: str, page_no: int, start_time) -> scrapy.Request:
        # the API answers 403 or code 99998 to a request without the JSON content type and a
        # thepaper Referer; it pages by the startTime its previous answer returned
        payload = {"pageSize": PAGE_SIZE, "pageNum": page_no, "contType": 0, "excludeContIds": [],
                   "pphId": str(pph_id), "startTime": start_time or ""}
        return scrapy.Request(
            self.settings.get("NEWSCRAWL_THEPAPER_PPH_API"), method="POST", body=json.dumps(payload), dont_filter=True,
            headers={"Content-Type": "application/json", "Accept": "application/json, text/plain, */*",
                     "Referer": THEPAPER_REFERER, "Origin": THEPAPER_ORIGIN},
            callback=self.parse_pph, errback=self.on_error,
            cb_kwargs={"pph_id": str(pph_id), "page_no": page_no}, meta={"newscrawl_kind": "list"},
        )

    def parse_pph(self, response, pph_id: str, page_no: int):
        try:
            answer = json.loads(response.text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.count("lists/failed")
            self.count("errors/api_not_json")
            self.logger.warning("澎湃号 %s page %d: the API did not answer JSON <%s>", pph_id, page_no, response.url)
            return
        code = api_error(answer)
        if code is not None:
            self.count("lists/failed")
            self.count(f"errors/api_{code}")
            self.logger.warning("澎湃号 %s page %d: the API answered error code %s (%s)", pph_id, page_no, code,
                                answer.get("desc") or answer.get("resultMsg") or answer.get("msg") or "no message")
            return
        self.count("lists/read")
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        entries = [e for e in (data.get("list") or []) if isinstance(e, dict)]
        column = f"thepaper:pph:{pph_id}"
        new = yield from self.follow_entries(entries, f"澎湃号 {pph_id} page {page_no}", pph_id)
        if not data.get("hasNext") or not entries:
            self.completed_columns.add(column)
            return
        if self.max_pages and page_no >= self.max_pages:
            self.logger.info("stopping at page %d of 澎湃号 %s (max_pages)", page_no, pph_id)
            return
        if new == 0 and self.stop_at_known_page and not self.full and self.store.column_complete(column):
            self.logger.info("every article on page %d of 澎湃号 %s is archived already: not reading older pages",
                             page_no, pph_id)
            return
        yield self.pph_request(pph_id, page_no + 1, data.get("startTime") or entries[-1].get("pubTimeLong"))

    def parse_channel(self, response):
        """A list page such as /list_25488: its __NEXT_DATA__ holds the entries."""
        self.count("lists/read")
        try:
            entries = next_data(response.selector)["props"]["pageProps"]["data"]["list"]
        except (KeyError, TypeError):
            entries = []
        yield from self.follow_entries(entries, response.url)

    def follow_entries(self, entries, list_name: str, pph_id: str | None = None):
        """Requests for the entries not archived yet; returns how many were new."""
        links = [article_url(e["contId"]) for e in entries if isinstance(e, dict) and e.get("contId")]
        self.count("articles/found", len(links))
        if not links:
            self.count("lists/empty")
            self.logger.warning("thepaper list %s has no articles", list_name)
        new = 0
        for link in links:
            if self.skip_known(link):
                continue
            new += 1
            if pph_id:
                self.listed_by.setdefault(canonical_url(link), pph_id)
            if self.new_article_link(link):
                self.count("articles/new")
                yield self.article_request(link, "thepaper")
        return new

    # ---- articles: whose school they are -----------------------------------------------------
    def parse_article(self, response, cms: str = "thepaper"):
        for out in super().parse_article(response, cms):
            if isinstance(out, ArticleItem):
                self.label_by_account(out, response)
            yield out

    def label_by_account(self, item: ArticleItem, response) -> None:
        relabel_by_account(item, response.text, self.source_for(item.url), self.accounts(), self.listed_by.get(item.url))


class LabelsAccountArticles:
    """For a spider that may fetch any article: a 澎湃号 article is labelled with its account's school,
    whichever spider fetched it (article, reextract)."""

    def parse_article(self, response, cms: str = "auto"):
        for out in super().parse_article(response, cms):
            if isinstance(out, ArticleItem) and out.cms == "thepaper":
                source = self.source_for(out.url)
                relabel_by_account(out, response.text, source, {a.id: a for a in source.pph_accounts})
            yield out


def relabel_by_account(item: ArticleItem, html: str, source: Source, accounts: dict[str, PphAccount],
                       listed_by: str | None = None) -> None:
    """School, tags and categories of the 澎湃号 account that wrote the article, not of the source."""
    account_id, account_name = account_of(Selector(text=html))
    account = accounts.get(account_id or listed_by or "")
    item.school, tags, categories = account_labels(source, account, account_name)
    item.tags, item.categories = list(tags), list(categories)


def api_error(answer: dict):
    """The error code of an API answer, or None when it succeeded (code 200, or resultCode 1)."""
    if "code" in answer:
        return None if str(answer["code"]) in ("200", "0") else answer["code"]
    if "resultCode" in answer:
        return None if str(answer["resultCode"]) in ("1", "200") else answer["resultCode"]
    return None


def account_labels(source: Source, account: PphAccount | None, account_name: str | None):
    """(school, tags, categories): the account's mapping, else its name in place of the source's school."""
    school = (account.school if account else None) or account_name or source.school
    def swap(values):
        if school == source.school:
            return tuple(values)
        if source.school in values:
            return tuple(school if v == source.school else v for v in values)
        return (school, *values)
    tags = (account.tags if account and account.tags else None) or swap(source.tags)
    categories = (account.categories if account and account.categories else None) or swap(source.categories)
    return school, tuple(tags), tuple(categories)
