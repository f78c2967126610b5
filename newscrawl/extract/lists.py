"""Column list pages: the article links of the list itself (not navigation) and the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin

from parsel import Selector

from newscrawl.extract.detect import detect_cms
from newscrawl.urls import canonical_url, is_http_url

WEBPLUS_CONTAINERS = "[portletmode=simpleList], [id^=wp_news_w], ul.wp_article_list, ul.news_list"
# Pagers of templates without the standard #wp_paging_wN portlet.
WEBPLUS_PAGERS = "#wp_pager, .wp_pager, [id^=wp_paging], .wp_paging, .pages, .page, .pagination"
WEBPLUS_PAGE_RE = re.compile(r"/list\d*\.htm$|/listm\d*\.htm$")
VSB_BATCH_RE = re.compile(r"_showDynClickBatch\(\s*\[[^\]]*\]\s*,\s*\[(?P<ids>[\d,\s]*)\]")
VSB_NEWS_ID_RE = re.compile(r"/info/\d+/(?P<id>\d+)\.htm|[?&]wbnewsid=(?P<qid>\d+)")
# (older VSB templates page with table.headStyle… and a.Next links labelled 下页 — and 尾页)
VSB_PAGINATION_CSS = ".pb_sys_common, .p_pages, div.page, div.pagebar, div.pagination, .pages, table[class^=headStyle]"
ARTICLE_LIKE_RE = re.compile(
    r"/info/\d+/\d+\.htm|[?&]wbnewsid=\d+|/c\d+a\d+/page[m]?\.(?:htm|psp)|/_redirect\?|"
    r"/\d{4,}[/_-]?\d*\.s?html?$|/content_\d+|/t\d{8}_\d+\.s?html?$|newsDetail_forward_\d+|/detail/\d+|"
    r"[?&](?:article_?id|news_?id|id|aid|nid|info_?id|content_?id|doc_?id)=\d+(?:&|$)|"
    r"//mp\.weixin\.qq\.com/s\b",
    re.I,
)
RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(?P<html>.*?)\]\]>\s*</record>", re.S)
# A list has at least this many rows; a headline at least this many characters.
MIN_LIST_ROWS = 3
HEADLINE_MIN_CHARS = 8
PAGE_LINK_RE = re.compile(r"^(?:首页|上一?页|下一?页|末页|尾页|更多|more)", re.I)
NEXT_LABELS = ("下一页", "下页", "下一頁", "后页", "后一页", "next", "Next", "NEXT", "next page", "Next page", ">", "›")
# Arrows that mean "next" only inside a pager: elsewhere '»' is a box heading's "more" link.
PAGER_ARROWS = ("»", "→")
TEMPLATE_FIELD_RE = re.compile(r"\{([A-Za-z_:][-\w:.]*)\}")  # '{newsid}' in a list_link_url
# A pager link that goes by script: the address it assigns or opens.
SCRIPTED_HREF_RE = re.compile(r"""(?:\.action|location(?:\.href)?|\.href)\s*=\s*(?P<q>['"])(?P<href>[^'"\s]+)(?P=q)"""
                              r"""|(?:location\.(?:assign|replace)|window\.open)\(\s*(?P<q2>['"])(?P<href2>[^'"\s]+)(?P=q2)""")
# The page a numbered pager marks as the one shown (<span class="current">1</span>, <b>1</b>).
CURRENT_CLASS_RE = re.compile(r"^(?:cur|current|curr|active|on|sel|selected|hover|this|now|thisclass|cpb)$", re.I)
# What makes a box a pager: its class or id, or the words around its numbers (共78条, 首页, 尾页).
PAGER_NAME_RE = re.compile(r"pag|fenye|fanye|turnpage|(?:^|[\s_-])(?:fy|pg|pn)(?:$|[\s_\d-])", re.I)
PAGER_WORDS_RE = re.compile(r"共\s*\d+\s*[条页篇]|第\s*\d+\s*页|首页|尾页|末页|上一?页|下一?页|页次|\bpage\b", re.I)
PAGER_LEVELS = 3  # a pager's class may sit this many levels above its numbers
DECORATION_RE = re.compile(r"[\s<>«»‹›\[\]【】()（）→←]+")
# TRS: <script>createPageHTML(23, 0, "index", "html");</script>, or with variables set before it
TRS_PAGER_RE = re.compile(r"createPageHTML\(\s*(?P<count>\w+)\s*,\s*(?P<current>\w+)\s*,\s*['\"](?P<prefix>[\w-]+)['\"]"
                          r"\s*,\s*['\"](?P<ext>\w+)['\"]")
JS_INT_VAR_RE = re.compile(r"\b(?:var\s+|let\s+|const\s+)?(?P<name>\w+)\s*=\s*(?P<value>\d+)\s*[;,\n]")
# A next-page link marked only by its class (<a class="next" href="index1.htm"></a>: an icon).
NEXT_CLASS_RE = re.compile(r"^(?:next|nextpage|next-page|next_page|pagenext|page-next|page_next|pgnext|p_next|btn-next)$", re.I)


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


class _Unique(list):
    """A list that keeps the first of equal items, in linear time (a list page can hold 100,000 links)."""

    def __init__(self, skip=()):
        super().__init__()
        self.seen = set(skip)

    def add(self, item) -> None:
        if item and item not in self.seen:
            self.seen.add(item)
            self.append(item)


def _links_in(elements, base_url: str, skip=()) -> list[str]:
    out = _Unique(skip)
    for el in elements:
        for a in el.css("a[href]"):
            out.add(_follow(a.attrib.get("href"), base_url))
    return list(out)


def _webplus(sel: Selector, url: str) -> ListPage:
    page = ListPage(cms="webplus")
    paging = sel.css("[id^=wp_paging_w]")
    containers = []
    if paging:
        number = paging[0].attrib["id"].rsplit("_w", 1)[-1]
        containers = sel.css(f"[frag='窗口{number}'], #wp_news_w{number}")
        next_a = paging[0].css("a.next")
        page.next_url = _follow(next_a[0].attrib.get("href"), url) if next_a else None
    else:
        page.next_url = _labelled_next(sel.css(WEBPLUS_PAGERS), url)
    if not containers:
        candidates = sel.css(WEBPLUS_CONTAINERS)
        containers = sorted(candidates, key=lambda c: len(c.css("a[href]")), reverse=True)[:1]
    page.links = [u for u in _links_in(containers[:1], url, skip={url}) if not WEBPLUS_PAGE_RE.search(u)]
    return page


def page_label(text: str) -> str:
    """A pager link's word without its decoration ('下一页>>', '[下一页]', '下一页 »' are 下一页); a
    label that is only an arrow ('>') stays what it is."""
    text = text.strip()
    return DECORATION_RE.sub("", text) or text


def _labelled_next(pagers, url: str) -> str | None:
    """The link labelled 下一页 in a pager (its class may be shared with 尾页, so the label decides)."""
    for pager in pagers:
        for a in pager.root.iter("a"):
            if page_label("".join(a.itertext())) in NEXT_LABELS:
                return _follow(a.get("href"), url)
    return None


def _vsb_next(sel: Selector, url: str) -> str | None:
    for a in sel.css("span.p_next a, a.p_next"):
        target = _follow(a.attrib.get("href"), url)
        if target:
            return target
    for container in sel.css(VSB_PAGINATION_CSS):
        for a in container.css("a[href]"):
            if page_label("".join(a.css("::text").getall())) in ("下页", "下一页"):
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
        # the rows the script counts locate the list; ALL rows of that list are the list (rows can
        # link to other trees or use other URL forms than the ones the script counts)
        containers: dict = {}
        for a in sel.root.iter("a"):
            target = _follow(a.get("href"), url)
            match = VSB_NEWS_ID_RE.search(target or "")
            if match and (match["id"] or match["qid"]) in ids:
                container = _row_container(a)
                containers[container] = containers.get(container, 0) + 1
        if containers:
            container = max(containers, key=containers.get)
            links = _Unique({url})
            for a in container.iter("a"):
                target = _follow(a.get("href"), url)
                if target and ARTICLE_LIKE_RE.search(target):
                    links.add(target)
            page.links = list(links)
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
    anchors = sel.root.xpath("//a[@href][not(ancestor::nav)][not(ancestor::header)][not(ancestor::footer)]")
    for a in anchors:
        target = _follow(a.get("href"), url)
        if target and target != url and ARTICLE_LIKE_RE.search(target):
            groups.setdefault(_row_container(a), _Unique()).add(target)
    best = list(max(groups.values(), key=len)) if groups else []
    return best if len(best) >= MIN_LIST_ROWS else (_headline_rows(anchors, url) or best)


def _headline_rows(anchors: list, url: str) -> list[str]:
    """Fallback for article URLs of no known shape: the biggest group of links (anchors, outside
    navigation and page furniture) that read like headlines (several words of text)."""
    groups: dict = {}
    for a in anchors:
        text = "".join(a.itertext()).strip() or (a.get("title") or "")
        if len(text) < HEADLINE_MIN_CHARS:
            continue
        target = _follow(a.get("href"), url)
        if target and target != url and not PAGE_LINK_RE.search(text):
            groups.setdefault(_row_container(a), _Unique()).add(target)
    best = list(max(groups.values(), key=len)) if groups else []
    return best if len(best) >= MIN_LIST_ROWS else []


def _script_records(sel: Selector, url: str) -> list[str]:
    """Rows a pager script renders from records in the page (大汉 Hanweb's jpage: <script
    type="text/xml"><datastore><recordset><record><![CDATA[<li><a href=…>]]></record>…)."""
    out = _Unique({url})
    for script in sel.root.iter("script"):
        if "xml" not in (script.get("type") or "").lower() or "<record" not in (script.text or ""):
            continue
        for record in RECORD_RE.finditer(script.text):
            for href in Selector(text=f"<div>{record['html']}</div>").css("a::attr(href)").getall():
                out.add(_follow(href, url))
    return list(out) if len(out) >= MIN_LIST_ROWS else []


def _generic_next(sel: Selector, url: str) -> str | None:
    rel = sel.css("a[rel=next]::attr(href), link[rel=next]::attr(href)").get()
    if rel:
        return _follow(rel, url)
    by_class = by_arrow = None
    for a in sel.root.iter("a"):
        if not a.get("href"):
            continue
        label = page_label("".join(a.itertext()))
        if label in NEXT_LABELS or (not label and _icon_label(a) in NEXT_LABELS):
            target = _follow(a.get("href"), url) or _follow(_scripted_href(a), url)
            if target and target != url:
                return target
        if by_class is None and not label and _classed_next(a):
            target = _follow(a.get("href"), url)
            by_class = target if target and target != url else None
        if by_arrow is None and label in PAGER_ARROWS and _in_pager(a):
            target = _follow(a.get("href"), url)
            by_arrow = target if target and target != url else None
    return by_class or by_arrow or _scripted_next(sel, url) or _numbered_next(sel, url)


def _in_pager(el) -> bool:
    """el sits in a pager: a box named so, or one whose words are a pager's (共78条, 首页, 尾页)."""
    node = el.getparent()
    for _ in range(PAGER_LEVELS):
        if node is None or node.tag in ("body", "html"):
            return False
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if PAGER_NAME_RE.search(names) or PAGER_WORDS_RE.search(_text_start(node, 300)):
            return True
        node = node.getparent()
    return False


def _text_start(node, limit: int) -> str:
    """The first limit characters of node's text pieces joined by spaces, without reading the rest
    of its subtree (a pager's box may be the whole page's wrapper)."""
    pieces, size = [], 0
    for text in node.itertext():
        pieces.append(text)
        size += len(text) + 1
        if size > limit:
            break
    return " ".join(pieces)[:limit]


def templated_url(template: str, el) -> str | None:
    """template with each {attribute} replaced by el's value of it (names in any case), or None
    when el lacks one (a row that is not an article)."""
    attrs = {k.lower(): v.strip() for k, v in el.attrib.items()} if isinstance(el.tag, str) else {}
    missing = False

    def value(match):
        nonlocal missing
        found = attrs.get(match[1].lower())
        missing = missing or not found
        return quote(found or "", safe="")

    out = TEMPLATE_FIELD_RE.sub(value, template)
    return None if missing else out


def _scripted_href(a) -> str | None:
    """Where a link whose href is '#' or javascript: sends the reader by script: the address its
    onclick gives a form's action or the location ('document.pageForm.action='/hard/?page=2';
    document.pageForm.submit()', 'location.href="list2.htm"', 'window.open("list2.htm")')."""
    script = f"{a.get('onclick') or ''};{a.get('href') or ''}"
    match = SCRIPTED_HREF_RE.search(script)
    return (match["href"] or match["href2"]) if match else None


def _classed_next(a) -> bool:
    """A link without text whose class, or its list item's, says next (<li class="next"><a href=…></a>)."""
    parent = a.getparent()
    classes = (a.get("class") or "").split() + ((parent.get("class") or "").split() if parent is not None else [])
    return any(NEXT_CLASS_RE.match(c) for c in classes)


def _numbered_next(sel: Selector, url: str) -> str | None:
    """In a pager of numbers only, the link numbered one more than the page it marks as shown: a
    number that is not a link (<span>1</span>) or has a 'current' class, beside links numbered."""
    numbered: dict = {}  # scope -> {number: href} of the links in it, built once per scope
    for el in sel.root.iter("span", "strong", "b", "font", "em", "li", "a"):
        text = "".join(el.itertext()).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 5:
            continue  # '①' and '²' are digits to Python, not page numbers
        marked = any(CURRENT_CLASS_RE.match(c) for c in (el.get("class") or "").split())
        if el.tag == "a" and not marked:
            continue
        if not marked and (el.xpath("ancestor::a") or el.find(".//a") is not None):
            continue
        parent = el.getparent()
        scope = parent.getparent() if parent is not None and parent.tag == "li" and el.tag != "li" else parent
        if scope is None:
            continue
        if scope not in numbered:
            links = {}
            for a in scope.iter("a"):
                number = "".join(a.itertext()).strip()
                if number.isascii() and number.isdigit() and a.get("href"):
                    links.setdefault(number, a.get("href"))
            # a calendar is numbers too: only a box that is a pager counts
            numbered[scope] = links if len(links) >= 1 and _in_pager(el) else {}
        href = numbered[scope].get(str(int(text) + 1))
        target = _follow(href, url) if href else None
        if target and target != url:
            return target
    return None


def _icon_label(a) -> str:
    """What a link without text says it is: its title or aria-label, or its picture's alt
    (<a href="list2.htm"><img src="next.gif" alt="下一页"></a>)."""
    for value in (a.get("title"), a.get("aria-label"), *(img.get("alt") for img in a.iter("img"))):
        if value and value.strip():
            return page_label(value)
    return ""


def _scripted_next(sel: Selector, url: str) -> str | None:
    """The next page of a pager a script writes: TRS's createPageHTML(countPage, currentPage,
    "index", "html") makes index.html, index_1.html, … index_{count-1}.html."""
    for script in sel.root.iter("script"):
        text = script.text or ""
        match = TRS_PAGER_RE.search(text) if "createPageHTML" in text else None
        if not match:
            continue
        values = {m["name"]: int(m["value"]) for m in JS_INT_VAR_RE.finditer(sel.root.xpath("string(//head)") + text)}
        count, current = (int(v) if v.isdigit() else values.get(v) for v in (match["count"], match["current"]))
        if count is None or current is None or current + 1 >= count:
            return None
        return _follow(f"{match['prefix']}_{current + 1}.{match['ext']}", url)
    return None


def extract_list(html: str, url: str, cms: str = "auto", link_css: str | None = None,
                 link_url: str | None = None) -> ListPage:
    """Article links (absolute, canonical, in list order) and the next list page, if any.

    link_css names the rows' links exactly; link_url, when a script builds the article's address
    from an attribute of the row (<a href="#" newsId="567e…">), is that address with the
    attribute in braces ('/info/{newsid}')."""
    if cms in (None, "", "auto"):
        cms = detect_cms(html, url)
    sel = Selector(text=html)
    if cms == "webplus":
        page = _webplus(sel, url)
    elif cms == "vsb":
        page = _vsb(sel, html, url)
    else:
        links = _script_records(sel, url) or _article_like(sel, url)
        page = ListPage(cms="generic", links=links, next_url=_generic_next(sel, url))
    if link_css:
        # a selector from the sources file names the list's links exactly
        links = _Unique()
        for row in sel.css(link_css):
            if link_url:
                links.add(_follow(templated_url(link_url, row.root), url))
                continue
            for href in row.xpath("./@href | .//a/@href").getall():
                links.add(_follow(href, url))
        page.links = list(links)
    return page
