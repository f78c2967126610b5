"""Generates WebPlus and VSB sites (lists with pagination, articles) shaped like the real templates.

Used by the fault-injection and kill tests and by the benchmark; bodies recombine the seeds' text
kept in tests/fixtures/*.paragraphs.txt.
"""

from __future__ import annotations

import html
import json
import random
from urllib.parse import parse_qsl
from pathlib import Path

FIXTURES = Path(__file__).with_name("fixtures")


def seed_paragraphs() -> list[str]:
    out: list[str] = []
    for name in sorted(FIXTURES.glob("*.paragraphs.txt")):
        out += [line for line in name.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def webplus_article(title: str, date: str, paragraphs: list[str], images: list[str] = (), aid: int = 1,
                    attachments: list[tuple[str, str]] = ()) -> str:
    """attachments: (href, name) linked as WebPlus does, an a[sudyfile-attr] paragraph after the text."""
    body = "".join(f'<p style="text-indent:2em;">{esc(p)}</p>' for p in paragraphs)
    body += "".join(f'<p style="text-align:center"><img src="{src}" /></p>' for src in images)
    body += "".join(f"""<p><img src="/_ueditor/themes/default/images/icon_pdf.gif"/><a href="{href}" """
                    f"""sudyfile-attr="{{'title':'{esc(name)}'}}">{esc(name)}</a></p>""" for href, name in attachments)
    return f"""<!DOCTYPE html><html class="webplus-page"><head><meta charset="utf-8"><title>{esc(title)}</title>
<script language="javascript" src="/_js/jquery.min.js" sudy-wp-context="" sudy-wp-siteId="7"></script></head>
<body><div class="nav" frag="窗口1"><a href="/main.htm">首页</a><a href="/col/list.htm">新闻</a></div>
<!--Start||content--><div class="article" frag="窗口3" portletmode="simpleArticleAttri">
<h1 class="arti_title">{esc(title)}</h1><h2 class="arti_title"></h2>
<p class="arti_metas"><span class="arti_publisher">发布者：新闻中心</span><span class="arti_update">发布时间：{date}</span>
<span class="arti_views">浏览次数：<span class="WP_VisitCount" url="/_visitcountdisplay?siteId=7&type=3&articleId={aid}">{aid % 997}</span></span></p>
<div class="entry"><div class="read"><div class='wp_articlecontent'>{body}</div></div></div></div>
<!--End||content--><div class="foot">版权所有 地址：某市某路1号</div></body></html>"""


def webplus_list(rows: list[tuple[str, str, str]], next_href: str | None, page: int, pages: int,
                 beacon: str = "") -> str:
    items = "".join(
        f"<li class=\"list_item\"><span class='Article_Title'><a href='{h}' target='_blank' title='{esc(t)}'>{esc(t)}</a></span>"
        f"<span class='Article_PublishDate'>{d}</span></li>" for h, t, d in rows
    )
    nxt = next_href or "javascript:void(0);"
    return f"""<!DOCTYPE html><html class="webplus-page"><head><meta charset="utf-8"><title>新闻</title>
<script language="javascript" src="/_js/jquery.min.js" sudy-wp-context="" sudy-wp-siteId="7"></script></head>
<body><div class="nav" frag="窗口1"><a href="/main.htm">首页</a></div>
<div frag="窗口6" portletmode="simpleList"><div id="wp_news_w6"><ul class="wp_article_list">{items}</ul></div>
<div id="wp_paging_w6"><ul class="wp_paging"><li class="page_nav"><a class="next" href="{nxt}">下一页</a></li>
<li class="page_jump"><em class="curr_page">{page}</em>/<em class="all_pages">{pages}</em></li></ul></div></div>{beacon}</body></html>"""


def vsb_article(title: str, date: str, paragraphs: list[str], images: list[str] = (), news_id: int = 1,
                attachments: list[tuple[str, str]] = ()) -> str:
    """attachments: (href, name) listed as VSB does, download.jsp links in a 附件 block after the text."""
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    body += "".join(f'<p style="text-align:center"><img src="{src}" class="img_vsb_content"></p>' for src in images)
    if attachments:
        body += "<ul style=\"list-style-type:none;\">" + "".join(
            f'<li>附件【<a href="{href}" target="_blank">{esc(name)}</a>】已下载<span>次</span></li>'
            for href, name in attachments) + "</ul>"
    return f"""\ufeff<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}-某大学新闻网</title>
<META Name="ArticleTitle" Content="{esc(title)}" /><META Name="PubDate" Content="{date}" />
<!--Announced by Visual SiteBuilder 9--></head><body>
<form name="_newscontent_fromname"><div class="arc-tit"><h1>{esc(title)}</h1></div>
<div class="arc-info"><span>发布日期：{date}</span><span>阅读量：<script>_showDynClicks("wbnews", 1000, {news_id})</script></span></div>
<div id="vsb_content"><div class="v_news_content">{body}</div></div></form></body></html>"""


def vsb_list(rows: list[tuple[str, str, str]], ids: list[int], next_href: str | None, extra: str = "") -> str:
    items = "".join(f'<li id="line_u9_{i}"><a href="{h}">{esc(t)}</a><span>{d}</span></li>' for i, (h, t, d) in enumerate(rows))
    pager = f'<span class="p_next p_fun"><a href="{next_href}">下页</a></span>' if next_href else '<span class="p_next_d">下页</span>'
    return f"""\ufeff<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻-某大学</title>
<!--Announced by Visual SiteBuilder 9--></head><body><ul class="list">{items}</ul>
<div class="pb_sys_common"><span class="p_pages">{pager}</span></div>
<script>_showDynClickBatch([{",".join(f"'dynclicks_u9_{i}'" for i in ids)}],[{",".join(map(str, ids))}],"wbnews", 1000)</script>
{extra}</body></html>"""


def _fake_article(rng: random.Random, texts: list[str], label: str) -> tuple[str, list[str]]:
    """A title and 3-8 paragraphs recombined from the seeds' text."""
    title = f"{label}：" + rng.choice(texts)[:20]
    return title, rng.sample(texts, k=min(len(texts), rng.randint(3, 8)))


def build_webplus_site(add, host: str, column: str, articles: int, per_page: int = 20, seed: int = 7,
                       scheme: str = "http", rows_out: list | None = None, beacon: str = "") -> list[str]:
    """Register a WebPlus column of `articles` articles on `host` via add(url, body); return article URLs.

    rows_out, when given, receives every row (path, title, date) in the list's order (for the list API).
    """
    rng = random.Random(seed)
    texts = seed_paragraphs()
    urls = []
    pages = max(1, -(-articles // per_page))
    for page in range(1, pages + 1):
        rows = []
        for n in range((page - 1) * per_page, min(articles, page * per_page)):
            aid = 100000 + n
            month, day = 1 + n % 12, 1 + n % 28
            path = f"/2025/{month:02d}{day:02d}/c{column}a{aid}/page.htm"
            url = f"{scheme}://{host}{path}"
            title, paras = _fake_article(rng, texts, f"新闻{n}")
            images = [f"/_upload/article/images/{aid % 97:02x}/{aid % 89:02x}/{aid}_{i}.jpg" for i in range(rng.randint(0, 3))]
            add(url, webplus_article(title, f"2025-{month:02d}-{day:02d}", paras, images, aid))
            rows.append((path, title, f"2025-{month:02d}-{day:02d}"))
            urls.append(url)
        if rows_out is not None:
            rows_out.extend(rows)
        list_url = f"{scheme}://{host}/{column}/list.htm" if page == 1 else f"{scheme}://{host}/{column}/list{page}.htm"
        next_href = f"/{column}/list{page + 1}.htm" if page < pages else None
        add(list_url, webplus_list(rows, next_href, page, pages, beacon))
    return urls


def build_vsb_site(add, host: str, column: str, articles: int, per_page: int = 20, seed: int = 11,
                   scheme: str = "http", rows_out: list | None = None, extra: str = "") -> list[str]:
    """Register a VSB column (pagination counting down: col.htm, col/N-1.htm … col/1.htm).

    rows_out receives every row (path, title, date) in the list's order; extra goes into every list page.
    """
    rng = random.Random(seed)
    texts = seed_paragraphs()
    urls = []
    pages = max(1, -(-articles // per_page))
    for page in range(1, pages + 1):
        rows, ids = [], []
        for n in range((page - 1) * per_page, min(articles, page * per_page)):
            news_id = 20000 + n
            url = f"{scheme}://{host}/info/1{column[-3:]}/{news_id}.htm"
            title, paras = _fake_article(rng, texts, f"通知{n}")
            images = [f"/__local/{news_id % 16:X}/{news_id % 251:02X}/{news_id}_{i}.jpg" for i in range(rng.randint(0, 2))]
            add(url, vsb_article(title, f"2025-{1 + n % 12:02d}-{1 + n % 28:02d} 10:{n % 60:02d}", paras, images, news_id))
            rows.append((f"/info/1{column[-3:]}/{news_id}.htm", title, "2025-01-01"))
            ids.append(news_id)
            urls.append(url)
        if rows_out is not None:
            rows_out.extend(rows)
        # VSB numbers page 2 as N-1 … the last page as 1
        list_url = f"{scheme}://{host}/{column}.htm" if page == 1 else f"{scheme}://{host}/{column}/{pages - page + 1}.htm"
        next_href = f"/{column}/{pages - page}.htm" if page < pages else None
        add(list_url, vsb_list(rows, ids, next_href, extra))
    return urls


# ---- the CMSs' machine endpoints, answered as public crawlers' code shows them answering ------
WEBPLUS_API_PATH = "/_wp3services/generalQuery?queryObj=articles"


def webplus_beacon(site_id: str, column_id: str) -> str:
    """The hidden visit-counter image every WebPlus list page carries."""
    return f'<img src="/_visitcount?siteId={site_id}&type=2&columnId={column_id}" style="display:none" width="0" height="0">'


def webplus_api_answer(rows: list[tuple[str, str, str]], form_body: bytes, site_id: str, column_id: str,
                       host: str = "") -> bytes:
    """The list API's JSON for a POSTed form (siteId, columnId, pageIndex, rows): `total` and one page
    of `data` rows with id, title, url (relative unless host is given), publishTime, publisher…"""
    form = dict(parse_qsl(form_body.decode("utf-8")))
    if form.get("siteId") != site_id or form.get("columnId") != column_id:
        return json.dumps({"total": 0, "data": []}).encode()
    size = max(1, int(form.get("rows") or 10))
    index = max(1, int(form.get("pageIndex") or 1))
    page = rows[(index - 1) * size: index * size]
    data = [{"title": title, "url": (f"http://{host}" if host else "") + path, "id": 700000 + n,
             "wapUrl": "", "trueWapUrl": "", "publishTime": f"{date} 10:00:00.0", "publisher": "新闻中心",
             "publisherId": 19000, "visitCount": n % 1000, "siteArtId": 3700000 + n}
            for n, (path, title, date) in enumerate(page, start=(index - 1) * size)]
    return json.dumps({"total": len(rows), "data": data}, ensure_ascii=False).encode("utf-8")


def vsb_rss_link(tree_id: str) -> str:
    """The hidden "RSS文章发布" portlet of a VSB page, linking the column's feed."""
    return ('<div style="display:none;"><!--#begineditable name="RSS文章发布" viewid="128914" tagname="RSS文章发布"-->'
            f'<a href="/system/resource/code/rss/rssfeed.jsp?type=list&treeid={tree_id}&viewid=128914&mode=10'
            '&dbname=vsb&owner=1265902890&ownername=bench&contentid=118540&number=20" target="_blank">'
            '<img src="/system/resource/images/rss/rss.gif" border="0"></a><!--#endeditable--></div>')


def vsb_rss_answer(rows: list[tuple[str, str, str]], host: str, number: int) -> bytes:
    """rssfeed.jsp's RSS 2.0 for the column's newest `number` rows."""
    items = "".join(f"<item><title>{esc(t)}</title><link>http://{host}{p}</link><pubDate>{d}</pubDate></item>"
                    for p, t, d in rows[:number])
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>栏目</title>'
            f"<link>http://{host}/</link>{items}</channel></rss>").encode("utf-8")

