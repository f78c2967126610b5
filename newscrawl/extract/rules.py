"""Extraction rules as data: candidate selectors per CMS and field, a source's overrides first."""

from __future__ import annotations

# One table per CMS. Each field lists CSS candidates tried in order; a source's `selectors`
# (sources.yaml) for the same field are tried before them, the same way for every field.
RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "webplus": {
        "title": ("h1.arti_title", "h1.arti-title", ".arti_title", ".arti-title", ".article_title",
                  ".Article_Title"),
        "date": (".arti_update", ".arti-update", "span.Article_PublishDate"),
        "meta": (".arti_metas", ".arti-metas", ".arti_meta", ".arti-meta", ".news_xx"),  # news_xx: www.cumt.edu.cn
        "publisher": (".arti_publisher", ".arti-publisher"),
        "body": (".wp_articlecontent", ".read", ".Article_Content", ".article .entry"),
    },
    "vsb": {
        "title": (".arc-tit h1", "h2.title#titleStr", "#titleStr", ".title_nei b", ".content-title h1",
                  ".article-title h1", "form[name=_newscontent_fromname] h1",
                  "form[name=_newscontent_fromname] h2", "form[name=_newscontent_fromname] .title",
                  "form[name=_newscontent_fromname] .bt", "[class^=titlestyle]"),
        "date": ("[class^=timestyle]",),
        "body": ("[id^=vsb_content] .v_news_content", ".v_news_content", "[id^=vsb_content]",
                 "#vsb_newscontent", "form[name=_newscontent_fromname]"),
    },
    "generic": {
        "title": (),
        "date": ("time[datetime]",),
        "body": (),
    },
}

# Meta tags that name an article's title or publication date, best first.
TITLE_META = ("articletitle", "og:title", "twitter:title")
DATE_META = ("article:published_time", "pubdate", "publishdate", "publish_time", "publish-date", "publication_date",
             "firstpublishedtime", "articlepublishdate", "datepublished", "og:release_date", "og:published_time", "og:time",
             "pubtime", "publishtime", "publish_date", "published_time", "ptime", "releasedate",
             "og:article:published_time", "weibo: article:create_at",
             "date", "dc.date", "dc.date.issued", "dc.date.created", "createdate", "maketime")

# Labels before a date in a meta line.
DATE_LABELS = ("发布日期", "发布时间", "发表时间", "发稿时间", "发文日期", "公开日期", "更新时间", "日期", "时间")


def candidates(cms: str, field: str, selectors: dict | None) -> tuple[str, ...]:
    """CSS candidates for field on cms pages: the source's override first, then the CMS's table."""
    override = (selectors or {}).get(field)
    return ((override,) if override else ()) + RULES.get(cms, RULES["generic"]).get(field, ())
