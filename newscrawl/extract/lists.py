"""Column list pages: the article links of the list itself (not navigation) and the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.extract.detect import detect_cms
from newscrawl.urls import canonical_url, is_http_url, is_wechat_url

WEBPLUS_CONTAINERS = "[portletmode=simpleList], [id^=wp_news_w], ul.wp_article_list, ul.news_list"
WEBPLUS_PAGE_RE = re.compile(r"/list\d*\.htm$|/listm\d*\.htm$")
VSB_BATCH_RE = re.compile(r"_showDynClickBatch\(\s*\[[^\]]*\]\s*,\s*\[(?P<ids>[\d,\s]*)\]")
VSB_NEWS_ID_RE = re.compile(r"/info/\d+/(?P<id>\d+)\.htm|[?&]wbnewsid=(?P<qid>\d+)")
VSB_PAGINATION_CSS = ".pb_sys_common, .p_pages, div.page, div.pagebar, div.pagination, .pages"
ARTICLE_LIKE_RE = re.compile(
    r"/info/\d+/\d+\.htm|[?&]wbnewsid=\d+|/c\d+a\d+/page[m]?\.(?:htm|psp)|/_redirect\?|"
    r"/\d{4,}[/_-]?\d*\.s?html?$|/content_\d+|/t\d{8}_\d+\.s?html?$|newsDetail_forward_\d+|/detail/\d+|"
    r"//mp\.weixin\.qq\.com/s\b",
    re.I,
)
NEXT_LABELS = ("下一页", "下页", "下一頁", "next", "Next", ">")


@dataclass
class ListPage:
    cms: str
    links: list[str] = field(default_factory=list)
    next_url: str | None = None


def _follow(href: str | None, base_url: str) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    url = urljoin(base_url, href)
    return canonical_url(url) if is_http_url(url) else None


def _links_in(elements, base_url: str, skip=()) -> list[str]:
    out: list[str] = []
    for el in elements:
        for a in el.css("a[href]"):
            url = _follow(a.attrib.get("href"), base_url)
            if url and url not in out and url not in skip:
                out.append(url)
    return out


def _webplus(sel: Selector, url: str) -> ListPage:
    page = ListPage(cms="webplus")
    paging = sel.css("[id^=wp_paging_w]")
    containers = []
    if paging:
        number = paging[0].attrib["id"].rsplit("_w", 1)[-1]
        containers = sel.css(f"[frag='窗口{number}'], #wp_news_w{number}")
        next_a = paging[0].css("a.next")
        page.next_url = _follow(next_a[0].attrib.get("href"), url) if next_a else None
    if not containers:
        candidates = sel.css(WEBPLUS_CONTAINERS)
        containers = sorted(candidates, key=lambda c: len(c.css("a[href]")), reverse=True)[:1]
    page.links = [u for u in _links_in(containers[:1], url, skip={url}) if not WEBPLUS_PAGE_RE.search(u)]
    return page


def _vsb_next(sel: Selector, url: str) -> str | None:
    for a in sel.css("span.p_next a, a.p_next"):
        target = _follow(a.attrib.get("href"), url)
        if target:
            return target
    for container in sel.css(VSB_PAGINATION_CSS):
        for a in container.css("a[href]"):
            if "".join(a.css("::text").getall()).strip() in ("下页", "下一页"):
                return _follow(a.attrib.get("href"), url)
    return None


def _vsb_batch_ids(html: str) -> set[str] | None:
    """News ids of the list's rows, from the script VSB writes after it to load view counts.

    A page can hold several lists (a sidebar of latest news, say); the one followed by the
    pagination is the column's own. Without pagination every list on the page counts.
    """
    batches = [(m.start(), {i.strip() for i in m["ids"].split(",") if i.strip()}) for m in VSB_BATCH_RE.finditer(html)]
    if not batches:
        return None
    pager = html.find("p_next")
    if pager < 0:
        return set().union(*(ids for _, ids in batches))
    after = [ids for pos, ids in batches if pos > pager]
    before = [ids for pos, ids in batches if pos < pager]
    return after[0] if after else before[-1]


def _vsb(sel: Selector, html: str, url: str) -> ListPage:
    page = ListPage(cms="vsb", next_url=_vsb_next(sel, url))
    ids = _vsb_batch_ids(html)
    if ids:
        links, rows, wechat = [], set(), []
        for a in sel.css("a[href]"):
            target = _follow(a.attrib.get("href"), url)
            match = VSB_NEWS_ID_RE.search(target or "")
            if match and (match["id"] or match["qid"]) in ids and target not in links:
                links.append(target)
                rows.add(_row_container(a.root))
            elif target and is_wechat_url(target):
                wechat.append((a.root, target))
        # a row whose news item is a WeChat post links there instead of /info/…: same list, same rows
        in_list = {t for el, t in wechat if _row_container(el) in rows}
        if in_list:
            links = [t for t in _links_in(sel.css("a[href]"), url) if t in links or t in in_list]
        if links:
            page.links = links
            return page
    rows = sel.css("[id^=line_u]")
    page.links = _links_in(rows, url, skip={url}) if rows else _article_like(sel, url)
    return page


ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})


def _row_container(a):
    """The element holding a link's row: ul for li rows, tbody/table for tr rows, else the parent's parent."""
    node = a.getparent()
    while node is not None and node.tag not in ROW_TAGS and node.getparent() is not None:
        if node.tag in ("ul", "ol", "table", "tbody", "body"):
            break
        node = node.getparent()
    if node is not None and node.tag in ROW_TAGS:
        return node.getparent()
    parent = a.getparent()
    return parent.getparent() if parent is not None and parent.getparent() is not None else parent


def _article_like(sel: Selector, url: str) -> list[str]:
    """Fallback: article-looking links of the page's biggest list, outside header, nav and footer.

    Links are grouped by the element that holds their rows; the group with most links is the
    column's list, a sidebar of latest news the smaller one.
    """
    groups: dict = {}
    for a in sel.xpath("//a[@href][not(ancestor::nav)][not(ancestor::header)][not(ancestor::footer)]"):
        target = _follow(a.attrib.get("href"), url)
        if target and target != url and ARTICLE_LIKE_RE.search(target):
            links = groups.setdefault(_row_container(a.root), [])
            if target not in links:
                links.append(target)
    return max(groups.values(), key=len) if groups else []


def _generic_next(sel: Selector, url: str) -> str | None:
    rel = sel.css("a[rel=next]::attr(href), link[rel=next]::attr(href)").get()
    if rel:
        return _follow(rel, url)
    for a in sel.css("a[href]"):
        if "".join(a.css("::text").getall()).strip() in NEXT_LABELS:
            target = _follow(a.attrib.get("href"), url)
            if target and target != url:
                return target
    return None


def extract_list(html: str, url: str, cms: str = "auto", link_css: str | None = None) -> ListPage:
    """Article links (absolute, canonical, in list order) and the next list page, if any."""
    if cms in (None, "", "auto"):
        cms = detect_cms(html, url)
    sel = Selector(text=html)
    if cms == "webplus":
        page = _webplus(sel, url)
    elif cms == "vsb":
        page = _vsb(sel, html, url)
    else:
        page = ListPage(cms="generic", links=_article_like(sel, url), next_url=_generic_next(sel, url))
    if link_css:
        # a selector from the sources file names the list's links exactly
        page.links = []
        for href in sel.css(link_css).xpath("./@href | .//a/@href").getall():
            target = _follow(href, url)
            if target and target not in page.links:
                page.links.append(target)
    return page
