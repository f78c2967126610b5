"""WeChat-hosted items of a university's lists: follow the linked post, and nothing beyond it."""

from __future__ import annotations

import scrapy
from parsel import Selector

from newscrawl.config import Source
from newscrawl.extract import wechat
from newscrawl.extract.common import meta_map, page_title
from newscrawl.extract.confidence import assess
from newscrawl.urls import WECHAT_HOST, canonical_url, is_wechat_url, urlname


class WeChatPosts:
    """Mixed into NewsSpider: list rows linking to mp.weixin.qq.com/s… become articles of the list's source."""

    def follow_wechat(self, link: str, source: Source) -> bool:
        """True for a WeChat post link that source follows (its `wechat` switch, on by default)."""
        if not is_wechat_url(link):
            return False
        if not source.wechat:
            self.count("links/wechat_off")
            return False
        self.count("links/wechat")
        # the post is archived under the university whose list linked it
        self.wechat_links().setdefault(link, source)
        return True

    def wechat_links(self) -> dict[str, Source]:
        """WeChat post URL -> the source (configured or ad hoc) whose list linked it, for this crawl."""
        if not hasattr(self, "wechat_sources"):
            self.wechat_sources = {}
        return self.wechat_sources

    def wechat_request(self, url: str, source: Source, column: str = "") -> scrapy.Request:
        url = canonical_url(url)
        source = self.wechat_links().get(url) or source
        return scrapy.Request(
            url, callback=self.parse_wechat, errback=self.on_error, dont_filter=True,
            cb_kwargs={"source": source},
            # the offsite guards let this one request (and its redirects) out of the source's domains
            meta=self.meta_for(source, "article", newscrawl_column=column, newscrawl_extra_domains=[WECHAT_HOST],
                               allow_offsite=True),
        )

    def parse_wechat(self, response, source: Source | None = None):
        """The post itself, or a counted refusal: never a link followed from it."""
        url = self.published_url(response)
        sel = Selector(text=response.text)  # parsed once: the status and the extraction read the same tree
        status = wechat.page_status(response.text, sel)
        if status == "verify":
            # a wall like the 瑞数 one: the post is queued and fetched again; whether it is WeChat's wall
            # (blocked) or this post's (an attempt) is judged at the end of the run (spiders/walls.py)
            source = source or self.source_for(url)
            self.count(f"blocked_host/{WECHAT_HOST}")  # counted as the article's only by the verdict
            self.logger.error("%s: WeChat answered with its verification page (环境异常), not the post: skipped", url)
            self.article_walled(url, source.name, "wechat_verification", "verification page", response.request)
            return
        self.host_answered(response.url, article=True)
        if status == "gone":
            source = source or self.source_for(url)
            self.count("dropped/gone", source=source.name)
            self.logger.warning("%s: the WeChat post was deleted or can no longer be viewed: skipped", url)
            # recorded, so that the next runs do not fetch a deleted post again
            self.store.record_known(urlname=urlname(url), url=url, source=source.name, kind="gone")
            return
        # the university's selectors are for its own pages, never for WeChat's
        extracted = wechat.extract(sel, url, {})
        assess(extracted, sel.root, page_title(sel), meta_map(sel))
        for note in extracted.notes:
            self.logger.info("%s: %s", url, note)
        source = source or self.source_for(url)
        self.count("articles/extracted/wechat", source=source.name)
        self.note_confidence(url, source, extracted)
        yield self.build_item(extracted, url, source, response.meta.get("newscrawl_column", ""),
                              response.meta.get("newscrawl_fetched_at"))
