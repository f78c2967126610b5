"""Issue 15 regressions: nothing lost (error pages, look-alike articles, URL identity, walls), every
failure counted once and diagnosed by its cause."""

from __future__ import annotations

import json
import sqlite3

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem
from newscrawl.state import SqliteStateStore
from newscrawl.summary import summarize


def summary_of(out, name="cumt"):
    return json.loads((out / ".newscrawl" / f"{name}.last-crawl.json").read_text(encoding="utf-8"))


def store_of(out) -> SqliteStateStore:
    return SqliteStateStore(out / ".newscrawl-state.sqlite3")


def in_process_crawler(tmp_path, spidercls=None, **settings):
    """A crawler with the project's settings and a state in tmp_path, for in-process decisions."""
    import newscrawl.settings as project
    from newscrawl.spiders.article import ArticleSpider

    defaults = {k: v for k, v in vars(project).items() if k.isupper()}
    return get_crawler(spidercls or ArticleSpider, {**defaults, "NEWSCRAWL_OUTPUT_DIR": str(tmp_path),
                                                    "NEWSCRAWL_STATE_TIMEOUT": 5, **settings})


# ---- 13. a state that cannot be written: each failed article counted once, under one kind ---------
def test_each_article_the_state_could_not_record_is_counted_once(tmp_path, monkeypatch):
    from newscrawl.pipelines.write import ArchiveWriterPipeline
    from newscrawl.state import store_for

    crawler = in_process_crawler(tmp_path)
    store = store_for(crawler)

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "record", disk_full)
    monkeypatch.setattr(store, "record_failure", disk_full)
    pipeline = ArchiveWriterPipeline.from_crawler(crawler)
    pipeline.open_spider()
    for n in range(4):
        url = f"http://xwzx.cumt.edu.cn/2025/0101/c1a{n}/page.htm"
        item = ArticleItem(url=url, urlname=f"u{n}", source="cumt", title="标题", published="2025-01-01T00:00:00+08:00",
                           body="正文", cms="webplus")
        with pytest.raises(Exception):
            pipeline.process_item(item)
    stats = crawler.stats.get_stats()
    summary = summarize({**stats, "newscrawl/articles/new": 4}, 0.5)
    assert summary["articles_failed"] == 4
    assert summary["failed"] == {"state_failed": 4}
    assert summary["http_errors"] == {"state_failed": 4}  # the state's own errors, apart from the articles
    assert "4 of 4 articles failed (state_failed 4)" in summary["problems"]


# ---- 3. one URL identity: recorded, looked up, requested and claimed in the same form ------------
def test_a_url_has_one_canonical_form_and_ascii_urls_keep_their_urlname():
    from newscrawl.urls import canonical_url, urlname

    # FORMAT.md: the urlname of an ordinary URL is the MD5 of the URL as published (seeds 000, 001)
    assert urlname("http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm") == "eff5d2253c36a4d31f8f1cba2bd483d6"
    assert urlname("http://xwzx.cumt.edu.cn/33/a2/c523a537506/page.htm") == "097a10403a3b04d2c8efdc302c9958a4"
    legacy = "http://jwc.xjtu.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1071&wbnewsid=8512"
    assert canonical_url(legacy) == legacy  # parameters keep their order
    same = [
        ("http://news.cumt.edu.cn/info/通知/2051.htm", "http://news.cumt.edu.cn/info/%E9%80%9A%E7%9F%A5/2051.htm"),
        ("HTTP://News.CUMT.edu.cn/info/1002/1.htm", "http://news.cumt.edu.cn/info/1002/1.htm"),
        ("http://news.cumt.edu.cn/info/1002/新闻 公告.htm", "http://news.cumt.edu.cn/info/1002/%E6%96%B0%E9%97%BB%20%E5%85%AC%E5%91%8A.htm"),
        ("http://news.cumt.edu.cn/c.jsp?title=学术&id=4#top", "http://news.cumt.edu.cn/c.jsp?title=%E5%AD%A6%E6%9C%AF&id=4"),
        # a default port and dot segments name the page a browser opens without them
        ("http://news.cumt.edu.cn:80/info/1002/1.htm", "http://news.cumt.edu.cn/info/1002/1.htm"),
        ("https://news.cumt.edu.cn:443/info/1002/1.htm", "https://news.cumt.edu.cn/info/1002/1.htm"),
        ("http://news.cumt.edu.cn/info/../info/./1002/1.htm?p=../x", "http://news.cumt.edu.cn/info/1002/1.htm?p=../x"),
    ]
    for written, encoded in same:
        assert canonical_url(written) == canonical_url(encoded) == encoded
        assert canonical_url(canonical_url(written)) == canonical_url(written)
    assert canonical_url("http://[::1") == "http://[::1"  # not a URL: left as it is, never an exception
    assert canonical_url("http://news.cumt.edu.cn:8080/a.htm") == "http://news.cumt.edu.cn:8080/a.htm"
    assert canonical_url("http://news.cumt.edu.cn:abc/a.htm") == "http://news.cumt.edu.cn:abc/a.htm"


def odd_url_site(mirror, host="xwzx.cumt.edu.cn"):
    """Two columns whose rows link articles as pages write them: Chinese path, a space, an upper-case
    host, Chinese in the query; the second column holds a dead link. Returns (lists, articles, dead)."""
    from urllib.parse import urljoin

    from w3lib.url import safe_url_string

    from sitegen import seed_paragraphs, webplus_article, webplus_list

    texts = seed_paragraphs()
    base = f"http://{host}/"
    hrefs = [["/info/通知/3001.htm", "/info/1002/新闻 公告.htm"],
             [f"HTTP://{host.upper()}/info/1003/3003.htm", "/content.jsp?title=学术报告&id=3004"],
             ["/info/通知/2051.htm", "/info/1005/3005.htm"]]
    lists = [f"{base}901/list.htm", f"{base}902/list.htm"]
    articles, n = [], 0
    for page, rows in enumerate(hrefs):
        listed = []
        for href in rows:
            n += 1
            asked = safe_url_string(urljoin(base, href))  # what the server sees on the wire
            if href.endswith("2051.htm"):
                dead = asked
            else:
                mirror.add(asked, webplus_article(f"奇特网址{n}", f"2025-01-0{n}", texts[n * 3:n * 3 + 3], aid=n))
                articles.append(asked)
            listed.append((href, f"奇特网址{n}", f"2025-01-0{n}"))
        if page == 0:
            mirror.add(lists[0], webplus_list(listed, "/901/list2.htm", 1, 2))
        elif page == 1:
            mirror.add(f"{base}901/list2.htm", webplus_list(listed, None, 2, 2))
        else:
            mirror.add(lists[1], webplus_list(listed, None, 1, 1))
    return lists, articles, dead


def test_odd_urls_are_fetched_once_and_a_dead_link_is_given_up_once(mirror, tmp_path):
    from conftest import crawl

    lists, articles, dead = odd_url_site(mirror)
    args = ("-a", "lists=" + ",".join(lists))
    first = crawl(mirror, tmp_path, "cumt", *args)
    assert first.returncode == 0, first.stderr[-3000:]
    assert summary_of(tmp_path)["articles_written"] == len(articles)
    assert mirror.requested(dead) == [dead]
    runs = []
    for _ in range(3):
        mirror.log.clear()
        result = crawl(mirror, tmp_path, "cumt", *args)
        runs.append((list(mirror.log), result.stderr))
    second_log = runs[0][0]
    # run 2 asks for no archived article and reads only the first page of the complete column
    assert not set(second_log) & set(articles)
    assert "http://xwzx.cumt.edu.cn/901/list2.htm" not in second_log
    # the dead link: once in each run until its third attempt, then never again
    assert [log.count(dead) for log, _ in runs] == [1, 1, 0]
    assert [stderr.count("giving up on") for _, stderr in runs] == [0, 1, 0]
    assert summary_of(tmp_path)["status"] == "ok"
    store = store_of(tmp_path)
    assert [(row["url"], row["attempts"]) for row in store.failures()] == [(dead, 3)]
    store.close()


# ---- 2. a repost is the same text, pictures and attachments; never a title alone ------------------
def fingerprint(paragraphs, images=(), attachments=(), title="学术报告预告", url="http://xwzx.cumt.edu.cn/x.htm"):
    from newscrawl.archive import content_fingerprint, render_body

    return content_fingerprint(render_body(list(paragraphs), list(images), url, list(attachments)), title)


def test_look_alike_articles_differ_by_their_pictures_and_attachments():
    import hashlib

    up = "http://xwzx.cumt.edu.cn/_upload/article"
    posters = {fingerprint([], [f"{up}/images/ab/cd/poster{n}.jpg"]) for n in range(3)}
    assert len(posters) == 3 and "" not in posters
    notices = {fingerprint(["详见附件。"], attachments=[{"url": f"{up}/files/ab/cd/{n}.pdf", "name": "报名表.pdf"}],
                           title="关于报名的通知") for n in range(2)}
    assert len(notices) == 2 and "" not in notices
    # little text and nothing else: too little to tell a repost from a look-alike, never deduplicated
    assert fingerprint(["详见附件。"], title="通知") == fingerprint(["详见附件。"], title="另一个通知") == ""
    # a long text is the article whatever its title; reposted on another host with the same files
    text = ["长" * 80, "文" * 80]
    assert fingerprint(text, title="原标题") == fingerprint(text, title="转载：原标题", url="http://zwb.cumt.edu.cn/y.htm")
    assert (fingerprint(text, ["http://xwzx.cumt.edu.cn/_upload/1.jpg"])
            == fingerprint(text, ["https://zwb.cumt.edu.cn/_upload/1.jpg"], url="http://zwb.cumt.edu.cn/y.htm"))
    assert fingerprint(text, [f"{up}/1.jpg"]) != fingerprint(text, [f"{up}/2.jpg"])
    # a text-only article keeps the fingerprint earlier versions recorded (its reposts are still found)
    assert fingerprint(text) == hashlib.md5(("长" * 80 + "文" * 80).encode()).hexdigest()


def test_the_state_rebuilt_from_a_file_has_the_fingerprint_the_crawl_recorded(tmp_path):
    from types import SimpleNamespace

    from newscrawl.archive import content_fingerprint, render_body, render_markdown
    from newscrawl.rebuild import rebuild_from_archive

    url = "http://xwzx.cumt.edu.cn/2025/0101/c1a1/page.htm"
    paragraphs = ["时间：3月1日~3月5日 *地点* <b>礼堂</b>", "详见附件：报名表.pdf"]
    attachments = [{"url": "http://xwzx.cumt.edu.cn/_upload/files/1.pdf", "name": "报名表.pdf"}]
    body = render_body(paragraphs, ["http://xwzx.cumt.edu.cn/_upload/p.jpg"], url, attachments)
    item = SimpleNamespace(school="中国矿业大学", archive="cumt.net.cn", title="报告", published="2025-01-01T00:00:00+08:00",
                           urlname="u1", tags=[], categories=[], body=body)
    (tmp_path / "cumt").mkdir()
    (tmp_path / "cumt" / "u1.md").write_text(render_markdown(item), encoding="utf-8")
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    assert rebuild_from_archive(store, tmp_path) == 1
    expected = content_fingerprint(body, "报告")
    assert expected and store.urlname_with_fingerprint(expected) == "u1"
    store.close()


def test_poster_only_and_attachment_only_notices_of_one_title_are_all_archived(mirror, tmp_path):
    from conftest import crawl
    from sitegen import webplus_article, webplus_list

    host = "xwzx.cumt.edu.cn"
    rows, urls = [], []
    for n in range(5):
        url = f"http://{host}/2025/03{n + 1:02d}/c960a{n + 1}/page.htm"
        if n < 3:
            title = "学术报告预告"
            page = webplus_article(title, f"2025-03-{n + 1:02d}", [], [f"/_upload/article/images/ab/cd/poster{n}.jpg"], aid=n + 1)
        else:
            title = "关于报名的通知"
            page = webplus_article(title, f"2025-03-{n + 1:02d}", ["详见附件。"], aid=n + 1).replace(
                "</div></div></div></div>",
                f'<p><a href="/_upload/article/files/ab/cd/form{n}.pdf">报名表.pdf</a></p></div></div></div></div>', 1)
            # the forms are kept with the notices (NEWSCRAWL_FILES): two different files
            mirror.add(f"http://{host}/_upload/article/files/ab/cd/form{n}.pdf", f"%PDF-1.4 form {n}".encode(),
                       content_type="application/pdf")
        mirror.add(url, page)
        rows.append((url.split(host, 1)[1], title, f"2025-03-{n + 1:02d}"))
        urls.append(url)
    column = f"http://{host}/960/list.htm"
    mirror.add(column, webplus_list(rows, None, 1, 1))
    first = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
    assert first.returncode == 0, first.stderr[-3000:]
    summary = summary_of(tmp_path)
    assert summary["articles_written"] == 5 and summary["dropped"] == {}
    mirror.log.clear()
    crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
    assert mirror.requested("page.htm") == []


# ---- 1. an error page served with HTTP 200 is a failure, never an article nor a repost -------------
CHROME_HEAD = ('<head><meta charset="utf-8"><title>{title}</title><script src="/_js/jquery.min.js" sudy-wp-context=""'
               ' sudy-wp-siteId="7"></script></head>')
NAV = '<div class="nav">' + "".join(f'<a href="/{n}/list.htm">{t}</a>' for n, t in
                                    enumerate(["首页", "学校要闻", "综合新闻", "媒体矿大", "学术动态", "通知公告"])) + "</div>"
FOOT = '<div class="foot">版权所有 © 中国矿业大学 地址：江苏省徐州市大学路1号 邮编：221116 苏ICP备05007126号</div>'
ERROR_PAGES = {
    # a maintenance page with a picture and a script that sends the reader home
    "maintenance": ('<html><head><meta charset="utf-8"><title>系统维护中</title></head><body>'
                    '<div style="text-align:center;margin-top:100px"><img src="/images/weihu.png">'
                    "<p>系统维护中，请稍后访问……</p></div>"
                    '<script>setTimeout(function(){location.href="/";},5000);</script></body></html>'),
    # nginx's own 404 page, served with status 200 by a misconfigured proxy
    "nginx_404": ("<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
                  "<hr><center>nginx/1.20.1</center></body></html>"),
    # a CMS that answers a deleted article with an alert and goes back
    "alert_deleted": ('<html><head><meta charset="utf-8"><title></title></head><body>'
                      '<script language="javascript">alert("该信息已删除！");history.back();</script></body></html>'),
    # a CMS message page (PHPCMS/Discuz style): 提示信息, the message, a link back
    "message_page": ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
                     '<div class="showMsg" style="text-align:center"><h5>提示信息</h5>'
                     '<div class="content guery" style="display:inline-block">信息不存在或已被删除</div>'
                     '<div class="bottom"><a href="javascript:history.back();">[点这里返回上一页]</a></div></div></body></html>'),
    # the site's own not-found page, inside its header, navigation and footer
    "chrome_404": (f'<!DOCTYPE html><html class="webplus-page">{CHROME_HEAD.format(title="页面不存在-中国矿业大学新闻网")}'
                   f'<body>{NAV}<div class="error"><h2>对不起，您访问的<b>页面</b>不存在！</h2>'
                   "<p>可能的原因：网址有误，或该页面已被删除。</p>"
                   f'<p><a href="/">返回首页</a> <a href="javascript:history.go(-1)">返回上一页</a></p></div>{FOOT}</body></html>'),
    # a VSB site's deleted-article notice with a meta refresh back to the home page
    "vsb_deleted": ('\ufeff<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3;url=/index.htm">'
                    "<title>中国矿业大学</title><!--Announced by Visual SiteBuilder 9--></head><body>"
                    '<table width="100%"><tr><td align="center">对不起，该信息已删除或不存在！</td></tr>'
                    '<tr><td align="center"><a href="/index.htm">返回</a></td></tr></table></body></html>'),
    # WeChat's deletion notice (wechat.py reads it as 'gone'): not an article on any host either
    "wechat_deleted": ('<html><head><meta charset="utf-8"><title></title></head><body><div class="weui-msg">'
                       '<div class="weui-msg__text-area"><h2 class="weui-msg__title">该内容已被发布者删除</h2></div>'
                       '<div class="weui-msg__extra-area"><p>微信公众平台运营中心</p></div></div></body></html>'),
    "wechat_deleted_en": ('<html><head><meta charset="utf-8"><title></title><script>window.LANG = "en";</script></head>'
                          '<body><div class="weui-msg"><div class="weui-msg__text-area"><h2 class="weui-msg__title">'
                          "The content has been deleted by the author.</h2></div><div class=\"weui-msg__extra-area\">"
                          "<p>Weixin Official Accounts Platform Operation Center</p></div></div></body></html>"),
}


# More ways a site says "no article here" with status 200, each in the site's own header and footer:
# (what the page says, the kind it is).
MORE_NOTICES = [
    ("网站系统升级维护中，给您带来不便敬请谅解。", "maintenance"),
    ("您所访问的信息已过期或已删除！", "deleted"),
    ("此信息不存在或尚未审核通过！", "not_found"),
    ("系统繁忙，请稍后再试", "maintenance"),
    ("访问过于频繁，请稍后再试", "maintenance"),
    ("网站正在建设中", "maintenance"),
    ("您没有权限查看此信息", "restricted"),
    ("请登录后查看", "restricted"),
    ("该信息仅限校内访问", "restricted"),
]


@pytest.mark.parametrize("notice,kind", MORE_NOTICES)
def test_more_error_pages_are_recognised_by_kind(notice, kind):
    from newscrawl.extract.errorpage import error_page

    page = (f'<!DOCTYPE html><html>{CHROME_HEAD.format(title="中国矿业大学")}<body>{NAV}'
            f'<div class="main"><p>{notice}</p><p><a href="/">返回首页</a></p></div>{FOOT}</body></html>')
    found = error_page(page)
    assert found is not None and found.kind == kind, (notice, found)


def test_an_article_redirected_to_the_home_page_is_an_error_page():
    from newscrawl.extract.errorpage import moved_home

    article = "http://xwzx.cumt.edu.cn/2025/0101/c1a1/page.htm"
    for target in ("http://xwzx.cumt.edu.cn/", "http://xwzx.cumt.edu.cn/main.htm", "https://xwzx.cumt.edu.cn/index.jsp"):
        assert moved_home(target, article).kind == "moved_home"
    assert moved_home("http://xwzx.cumt.edu.cn/2025/0101/c1a2/page.htm", article) is None  # a moved article
    assert moved_home("http://xwzx.cumt.edu.cn/", "http://xwzx.cumt.edu.cn/index.htm") is None
    assert moved_home(article, article) is None


@pytest.mark.parametrize("name", sorted(ERROR_PAGES))
def test_error_pages_are_recognised(name):
    from newscrawl.extract.errorpage import error_page

    found = error_page(ERROR_PAGES[name])
    assert found is not None, name
    assert found.kind in ("not_found", "deleted", "maintenance", "notice")


def test_an_error_page_is_named_by_what_it_says_not_by_its_bare_title():
    """提示信息 above 信息不存在或已被删除: the page says the article is gone (a re-check reads it so)."""
    from newscrawl.extract.errorpage import error_page

    assert error_page(ERROR_PAGES["message_page"]).kind == "not_found"
    titled = "<html><head><title>提示</title></head><body><h3>系统提示</h3><div>该信息已删除</div></body></html>"
    assert error_page(titled).kind == "deleted"
    assert error_page("<html><head><title>系统提示</title></head><body><p>出错了</p></body></html>").kind == "notice"


def test_wechat_reads_its_deletion_notice_as_gone_like_before():
    from newscrawl.extract.wechat import page_status

    assert page_status(ERROR_PAGES["wechat_deleted"]) == page_status(ERROR_PAGES["wechat_deleted_en"]) == "gone"


def test_articles_that_mention_an_error_are_articles():
    from sitegen import seed_paragraphs, vsb_article, webplus_article

    from newscrawl.extract.errorpage import error_page

    texts = seed_paragraphs()
    mention = "网站改版后，部分旧链接出现页面不存在的情况，网络中心已逐一修复，系统维护中发现的问题也已解决。"
    short_notices = [
        # a real notice about maintenance: it says when it was published
        webplus_article("关于教务系统维护期间暂停服务的通知", "2025-01-05", ["1月6日教务系统维护中，暂停服务。"]),
        vsb_article("提示信息", "2025-01-05 10:00", ["详见附件。"]),
        # a poster-only article and a one-line notice on a site without date labels
        "<html><head><title>学术报告预告</title></head><body><h1>学术报告预告</h1><img src='/p.jpg'></body></html>",
        "<html><head><title>关于网站页面不存在问题的说明</title></head><body><h1>关于网站页面不存在问题的说明</h1>"
        "<p>近期部分师生反映，访问学院网站旧版栏目时出现打不开的情况，原因是网站已经整体迁移到新的服务器，"
        "请使用新的网址访问。</p></body></html>",
        "<html><head><title>404实验室获奖</title></head><body><h1>404实验室获奖</h1><p>我校404实验室获得省级表彰。</p></body></html>",
        # short undated notices whose words are an error page's words too
        "<html><head><title>关于填报的通知</title></head><body><h1>关于填报的通知</h1><p>请各单位登录后查看并填报。</p></body></html>",
        "<html><head><title>新校区建设</title></head><body><h1>新校区建设</h1><p>新校区图书馆正在建设中，明年启用。</p></body></html>",
        *(f"<html><head><title>某某大学</title></head><body>{body}</body></html>" for body in (
            "<p>二维码已失效</p>", "<p>如附件无法打开，请稍后再试</p>", "<p>学院网站建设中，欢迎提出意见</p>",
            "<p>尚未发布的成绩请勿查询</p>", "<div>您好，请登录</div><p>本周讲座安排见附件。</p>", "<p>报名系统仅限校内访问</p>")),
    ]
    for page in [webplus_article("网站改版说明", "2025-01-05", [mention, *texts[:4]]),
                 vsb_article("新闻", "2025-01-05 10:00", [*texts[4:8], mention]), *short_notices]:
        assert error_page(page) is None, page[:200]


def test_error_pages_fail_their_own_kind_and_the_articles_come_back_next_run(mirror, tmp_path):
    from conftest import crawl
    from sitegen import build_webplus_site, seed_paragraphs, webplus_article

    urls = build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "970", articles=6, per_page=6)
    real = {url: dict(mirror.routes[url]) for url in urls}
    names = [n for n in sorted(ERROR_PAGES) if not n.startswith("wechat")]
    for url, name in zip(urls, names):
        mirror.add(url, ERROR_PAGES[name])  # status 200
    # the notice with a meta refresh sends Scrapy to the home page: that is no article either
    mirror.add("http://xwzx.cumt.edu.cn/index.htm", webplus_article("中国矿业大学新闻网", "2025-01-01", seed_paragraphs()[:6]))
    column = "http://xwzx.cumt.edu.cn/970/list.htm"
    first = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
    summary = summary_of(tmp_path)
    assert first.returncode != 0 and summary["status"] == "broken", first.stderr[-3000:]
    assert summary["failed"] == {"error_page": 6} and summary["articles_written"] == 0
    assert summary["dropped"] == {}  # never a repost (duplicate_content) of each other
    lines = [line for line in first.stderr.splitlines() if "article failed (error_page)" in line]
    assert len(lines) == 6 and all(len(line) < 400 for line in lines)
    assert not list((tmp_path / "cumt").glob("*.md"))
    store = store_of(tmp_path)
    assert sorted((r["url"], r["kind"], r["attempts"]) for r in store.failures()) == sorted((u, "error_page", 1) for u in urls)
    store.close()
    mirror.routes.update(real)  # the site is back
    second = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
    assert second.returncode == 0, second.stderr[-3000:]
    assert summary_of(tmp_path)["articles_written"] == 6
    assert len(list((tmp_path / "cumt").glob("*.md"))) == 6


# ---- 6. a wall on one article is the article's (an attempt); a wall on everything is the site's ----
def test_whose_wall_it_is_is_decided_from_the_runs_evidence():
    from newscrawl.spiders.walls import the_sites_wall

    assert the_sites_wall(answered=0, answered_articles=0, walled=1)        # nothing else answered
    assert the_sites_wall(answered=9, answered_articles=0, walled=3)        # lists answer, every article walled
    assert the_sites_wall(answered=20, answered_articles=19, walled=30)     # walled more than it answered
    assert not the_sites_wall(answered=9, answered_articles=0, walled=1)    # one article among answering lists
    assert not the_sites_wall(answered=1, answered_articles=0, walled=1)    # its one list page answered
    assert not the_sites_wall(answered=12, answered_articles=10, walled=2)  # two among ten fine articles


def test_one_walled_article_is_given_up_and_its_source_never_stays_blocked(mirror, tmp_path):
    from conftest import crawl
    from sitegen import build_webplus_site

    urls = build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "975", articles=4, per_page=4)
    walled = urls[1]
    mirror.routes[walled] = dict(mirror.routes[walled], status=412)
    column = "http://xwzx.cumt.edu.cn/975/list.htm"
    codes, logs = [], []
    for _ in range(4):
        result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
        codes.append(result.returncode)
        logs.append(result.stderr)
        if len(codes) == 1:
            first = summary_of(tmp_path)
    assert first["articles_written"] == 3 and first["blocked"] == 0 and first["failed"] == {"blocked": 1}, logs[0][-3000:]
    assert "counted as an attempt" in logs[0] and "answered" in logs[0]
    assert 4 not in codes and codes[0] == 0 and codes[-1] == 0, codes
    assert mirror.requested(walled).count(walled) == 3  # NEWSCRAWL_MAX_ATTEMPTS, then never again
    assert [log.count("giving up on") for log in logs] == [0, 0, 1, 0]


def test_a_wall_on_every_article_uses_no_attempt_and_blocks_the_source(mirror, tmp_path):
    from conftest import crawl
    from sitegen import build_webplus_site

    urls = build_webplus_site(mirror.add, "xwzx.cumt.edu.cn", "976", articles=3, per_page=3)
    for url in urls:
        mirror.routes[url] = dict(mirror.routes[url], status=412)
    column = "http://xwzx.cumt.edu.cn/976/list.htm"
    for _ in range(2):
        result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", "-s", "NEWSCRAWL_VIEWS=0")
        assert result.returncode == 4, result.stderr[-3000:]
        summary = summary_of(tmp_path)
        assert summary["status"] == "blocked" and summary["blocked"] == 3 and summary["articles_failed"] == 0
    assert "no attempt used" in result.stderr
    store = store_of(tmp_path)
    assert sorted((row["url"], row["attempts"]) for row in store.failures()) == sorted((url, 0) for url in urls)
    store.close()


# ---- 14. diagnoses name the cause -----------------------------------------------------------------
def test_a_list_page_that_answers_then_hangs_is_diagnosed_as_timed_out(mirror, tmp_path):
    from conftest import crawl

    column = "http://xwzx.cumt.edu.cn/980/list.htm"
    mirror.add(column, "<html><body>" + "列表" * 500 + "</body></html>", stall=True)
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", settings={"DOWNLOAD_TIMEOUT": 1})
    summary = summary_of(tmp_path)
    assert result.returncode == 3, result.stderr[-3000:]
    assert any("timed out" in problem for problem in summary["problems"]), summary["problems"]
    assert not any("network or DNS" in problem for problem in summary["problems"])


def test_robots_txt_refusing_every_list_page_is_named(mirror, tmp_path):
    from conftest import crawl

    column = "http://xwzx.cumt.edu.cn/981/list.htm"
    mirror.add("http://xwzx.cumt.edu.cn/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    mirror.add(column, "<html><body>列表</body></html>")
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}")
    summary = summary_of(tmp_path)
    assert result.returncode == 3
    assert any("refused by robots.txt" in problem for problem in summary["problems"]), summary["problems"]
    assert not any("layout changed" in problem for problem in summary["problems"])
    assert summary["http_errors"] == {"robots_txt": 1}


def test_a_list_page_answering_a_maintenance_page_is_not_a_layout_change(mirror, tmp_path):
    from conftest import crawl

    column = "http://xwzx.cumt.edu.cn/983/list.htm"
    mirror.add(column, ERROR_PAGES["maintenance"])
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}")
    problems = summary_of(tmp_path)["problems"]
    assert result.returncode == 3
    assert any("answered error pages" in problem for problem in problems), problems
    assert not any("layout changed" in problem for problem in problems)


def test_a_decompression_bomb_is_too_large(mirror, tmp_path):
    import gzip

    from conftest import crawl

    article = "http://xwzx.cumt.edu.cn/2025/0101/c982a1/page.htm"
    bomb = gzip.compress(b"<html><body><p>" + b"0" * 5_000_000 + b"</p></body></html>")
    mirror.add(article, bomb, headers={"Content-Encoding": "gzip"})
    crawl(mirror, tmp_path, "article", "-a", f"url={article}", settings={"DOWNLOAD_MAXSIZE": 1_000_000})
    summary = summary_of(tmp_path, "article")
    assert summary["failed"] == {"too_large": 1} and summary["http_errors"] == {"too_large": 1}


def crawlall(mirror, out, sources_file):
    from conftest import scrapy

    env = {"http_proxy": mirror.url, "https_proxy": mirror.url, "PATH": "/usr/bin:/bin"}
    return scrapy("crawlall", "-s", f"NEWSCRAWL_SOURCES_FILE={sources_file}", "-s", f"NEWSCRAWL_OUTPUT_DIR={out}",
                  "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0", env=env)


def test_crawlall_that_skipped_a_locked_source_exits_with_what_it_crawled(mirror, tmp_path):
    from scrapy.settings import Settings

    from newscrawl.state import lock_source, release_source_locks
    from sitegen import build_webplus_site

    build_webplus_site(mirror.add, "news.good.edu.cn", "xw", articles=2, per_page=2)
    names = ("good", "busy")
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f"  {name}:\n    school: {name}大学\n    archive: {name}.example\n    lists: [http://news.{name}.edu.cn/xw/list.htm]\n"
        for name in names), encoding="utf-8")
    settings = Settings({"NEWSCRAWL_OUTPUT_DIR": str(tmp_path)})
    lock_source(settings, "busy")  # another crawl of it is running
    try:
        some = crawlall(mirror, tmp_path, sources)
        lock_source(settings, "good")
        none = crawlall(mirror, tmp_path, sources)
    finally:
        release_source_locks()
    assert some.returncode == 0, some.stderr[-3000:]  # it crawled good, which was fine
    assert "busy is already being crawled by another process: skipped" in some.stderr
    assert "skipped 1 source another process is crawling: busy" in some.stderr
    assert none.returncode == 6  # it did nothing at all
