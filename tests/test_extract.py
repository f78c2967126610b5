"""Extraction without an engine: fixture pages in each CMS's markup -> fields."""

from conftest import fixture_text

from newscrawl.extract.article import extract_article
from newscrawl.extract.detect import detect_cms, is_antibot_page
from newscrawl.extract.lists import extract_list

SEED_000_URL = "http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"


def test_cms_is_detected_from_page_markers():
    assert detect_cms(fixture_text("cumt_xwzx_633142.html")) == "webplus"
    assert detect_cms(fixture_text("xjtu_nic_1001.html")) == "vsb"
    assert detect_cms(fixture_text("thepaper_11541234.html"), "https://www.thepaper.cn/newsDetail_forward_1") == "thepaper"
    assert detect_cms("<html><body><p>plain</p></body></html>") == "generic"


def test_webplus_article_fields():
    result = extract_article(fixture_text("cumt_xwzx_633142.html"), SEED_000_URL)
    assert result.title.startswith("党建引领聚帮扶合力")
    assert result.published.strftime("%Y-%m-%d") == "2022-09-07"
    assert result.paragraphs[:2] == ["座谈现场", "捐赠学习用品"]
    assert len(result.images) == 10 and result.images[0].startswith("http://xwzx.cumt.edu.cn/_upload/article/images/")
    # span.WP_VisitCount's text is a placeholder JavaScript replaces: the count comes from its url
    assert (result.author, result.views) == ("总务部", None)
    assert result.views_url == "http://xwzx.cumt.edu.cn/_visitcountdisplay?siteId=23&type=3&articleId=633142"


def test_webplus_hyphenated_template_and_attachments():
    page = """<html class="webplus-page"><body><h1 class="arti-title">连字符模板</h1>
    <p class="arti-metas"><span class="arti-update">发布时间：2025-05-06</span></p>
    <div class='wp_articlecontent'><p>正文。</p>
    <p><a href="/_upload/article/files/aa/bb/x.pdf" sudyfile-attr="{'title':'名单.pdf'}">名单</a></p>
    <div class="wp_pdf_player" pdfsrc="/_upload/article/files/cc/dd/y.pdf" sudyfile-attr="{'title':'通知.pdf'}"></div>
    </div></body></html>"""
    result = extract_article(page, "https://a.edu.cn/2025/0506/c1a2/page.htm")
    assert result.title == "连字符模板"
    assert result.published.strftime("%Y-%m-%d") == "2025-05-06"
    assert [a["name"] for a in result.attachments] == ["名单.pdf", "通知.pdf"]
    assert result.attachments[0]["url"] == "https://a.edu.cn/_upload/article/files/aa/bb/x.pdf"


def test_vsb_meta_tags_win_over_visible_markup():
    result = extract_article(fixture_text("uestc_news_7909.html"), "http://news.uestc.edu.cn/info/1005/7909.htm")
    assert result.title == "后勤保障部党委理论学习中心组开展主题教育专题学习研讨"
    assert result.published.strftime("%Y-%m-%d %H:%M") == "2019-10-31 16:20"
    assert result.views_url.endswith("dynclicks.jsp?clickid=7909&owner=1389416632&clicktype=wbnews")


def test_vsb_labelled_date_and_title_without_meta_tags():
    result = extract_article(fixture_text("xjtu_nic_1001.html"), "http://nic.xjtu.edu.cn/info/1012/1001.htm")
    assert result.title == "党建扶贫双推进，信息化服务进乡村"
    assert result.published.strftime("%Y-%m-%d") == "2018-10-23"
    assert result.attachments[0]["url"].startswith("http://nic.xjtu.edu.cn/system/_content/download.jsp")


def test_vsb_title_falls_back_to_page_title_minus_site_name():
    page = """<!--Announced by Visual SiteBuilder 9--><html><head><title>崔宗勇-信息与通信工程学院</title></head>
    <body><form name="_newscontent_fromname"><p>职称: 教授</p></form></body></html>"""
    result = extract_article(page, "https://www.sice.uestc.edu.cn/info/1450/15583.htm")
    assert result.title == "崔宗勇"
    assert result.paragraphs == ["职称: 教授"]


def test_thepaper_reads_next_data_not_the_dom():
    result = extract_article(fixture_text("thepaper_11541234.html"), "https://www.thepaper.cn/newsDetail_forward_11541234")
    assert result.title == "矢志不渝 攻坚不怠|脱贫攻坚中的北方工大力量"
    assert result.published.strftime("%Y-%m-%d %H:%M") == "2021-03-03 20:01"
    assert not any("澎湃Logo" in p for p in result.paragraphs)
    assert all(i.startswith("https://imagepphcloud.thepaper.cn/") for i in result.images)


def test_unknown_cms_uses_generic_main_text_and_says_so():
    page = "<html><head><title>站点</title></head><body><h1>标题</h1><div class='nav'><a href='/'>首页</a></div>" \
           "<div class='main'><p>第一段足够长的正文内容。</p><p>第二段正文。</p></div><p>页脚</p></body></html>"
    result = extract_article(page, "http://x.cn/a.html")
    assert (result.cms, result.title) == ("generic", "标题")
    assert result.paragraphs == ["第一段足够长的正文内容。", "第二段正文。"]
    assert "generic" in result.notes[0]


def test_antibot_wall_is_recognised():
    assert is_antibot_page(412, b"")
    assert is_antibot_page(200, b"<script r='m'>$_ts=window['$_ts'];</script>")
    assert not is_antibot_page(200, fixture_text("xjtu_nic_1001.html").encode())


def test_webplus_list_rows_and_next_page():
    page = extract_list(fixture_text("cumt_xwzx_523_list.html"), "http://xwzx.cumt.edu.cn/523/list.htm")
    assert page.links == ["http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"]
    assert page.next_url == "http://xwzx.cumt.edu.cn/523/list2.htm"


def test_webplus_last_page_has_no_next():
    page = extract_list(fixture_text("cumt_xwzx_523_list2.html"), "http://xwzx.cumt.edu.cn/523/list2.htm")
    assert page.next_url is None


VSB_LIST = """<!--Announced by Visual SiteBuilder 9--><html><body>
<div class="side"><ul><li><a href="../info/1033/900.htm">侧栏新闻</a></li></ul>
<script>_showDynClickBatch(['dynclicks_u6_900'],[900],"wbnews", 1)</script></div>
<ul class="list"><li id="line_u9_0"><a href="../info/1043/10200.htm">第一条</a><span>2026-09-03</span></li>
<li id="line_u9_1"><a href="../content.jsp?urltype=news.NewsContentUrl&wbtreeid=1103&wbnewsid=10192">第二条</a></li></ul>
<div class="pb_sys_common"><span class="p_next p_fun"><a href="jwgg/29.htm">下页</a></span></div>
<script>_showDynClickBatch(['dynclicks_u9_10200','dynclicks_u9_10192'],[10200,10192],"wbnews", 1)</script>
</body></html>"""


def test_vsb_list_follows_the_paginated_list_not_the_sidebar():
    page = extract_list(VSB_LIST, "https://math.uestc.edu.cn/tzgg1/jwgg.htm")
    assert page.links == [
        "https://math.uestc.edu.cn/info/1043/10200.htm",
        "https://math.uestc.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1103&wbnewsid=10192",
    ]
    assert page.next_url == "https://math.uestc.edu.cn/tzgg1/jwgg/29.htm"  # VSB counts down


def test_list_selector_from_config_overrides_detection():
    page = extract_list(VSB_LIST, "https://math.uestc.edu.cn/tzgg1/jwgg.htm", link_css=".side a")
    assert page.links == ["https://math.uestc.edu.cn/info/1033/900.htm"]


def test_vsb_list_without_row_ids_or_click_script_takes_the_biggest_list():
    page = """<!--Announced by Visual SiteBuilder 9--><html><body>
    <div class="side"><ul><li><a href="../info/1033/900.htm">侧栏一</a></li><li><a href="../info/1033/901.htm">侧栏二</a></li></ul></div>
    <div class="list_txt"><ul>
      <li><a href="../info/1043/10200.htm"><span>第一条</span></a><i>2026-09-03</i>
      <li><a href="../info/1043/10199.htm"><span>第二条</span></a><i>2026-09-02</i>
      <li><a href="../show.jsp?urltype=news.NewsContentUrl&wbtreeid=1043&wbnewsid=10198"><span>第三条</span></a>
    </ul></div>
    <div class="page"><span class="p_next"><a href="jwgg/29.htm">下一页</a></span></div></body></html>"""
    result = extract_list(page, "https://math.uestc.edu.cn/tzgg1/jwgg.htm")
    assert result.links == [
        "https://math.uestc.edu.cn/info/1043/10200.htm",
        "https://math.uestc.edu.cn/info/1043/10199.htm",
        "https://math.uestc.edu.cn/show.jsp?urltype=news.NewsContentUrl&wbtreeid=1043&wbnewsid=10198",
    ]
    assert result.next_url == "https://math.uestc.edu.cn/tzgg1/jwgg/29.htm"


def test_inline_tags_in_a_chinese_title_add_no_spaces():
    page = """<html class="webplus-page"><body><h1 class="arti_title">中国<span>矿业</span>大学 <b>Open</b>Day与 <i>AI</i> Lab</h1>
    <div class='wp_articlecontent'><p>正文。</p></div></body></html>"""
    assert extract_article(page, "https://a.edu.cn/2025/0506/c1a2/page.htm").title == "中国矿业大学 OpenDay与 AI Lab"


def test_relative_links_resolve_against_the_fetched_url_or_base_href():
    page = """<html class="webplus-page"><body><h1 class="arti_title">标题</h1>
    <div class='wp_articlecontent'><p>正文。<img src="img/a.jpg"><a href="f/x.pdf">附件</a></p></div></body></html>"""
    linked = "http://old.a.edu.cn/2025/0506/c1a2/page.htm"
    moved = extract_article(page, linked, base_url="https://new.a.edu.cn/news/2025/page.htm")
    assert moved.images == ["https://new.a.edu.cn/news/2025/img/a.jpg"]
    assert moved.attachments == [{"url": "https://new.a.edu.cn/news/2025/f/x.pdf", "name": "附件"}]
    based = extract_article(page.replace("<body>", '<head><base href="/static/"></head><body>'), linked,
                            base_url="https://new.a.edu.cn/news/2025/page.htm")
    assert based.images == ["https://new.a.edu.cn/static/img/a.jpg"]


def test_empty_content_container_never_takes_the_meta_line_as_body():
    page = """<html class="webplus-page"><body><h1 class="arti_title">标题</h1>
    <p class="arti_metas">发布者：教务处 发布时间：2024-04-10 浏览次数：<span class="WP_VisitCount" url="/_visitcountdisplay?a=1">10</span></p>
    <div class='wp_articlecontent'>  </div></body></html>"""
    result = extract_article(page, "https://a.edu.cn/2024/0410/c1a2/page.htm")
    assert (result.paragraphs, result.views) == ([], None)
    assert result.views_url == "https://a.edu.cn/_visitcountdisplay?a=1"


def test_generic_headline_is_not_the_site_name_heading():
    page = """<html><head><title>校长寄语-某某大学新闻中心</title></head><body>
    <div class="logo"><h1>某某大学新闻中心</h1></div><div class="menu"><a href="/">首页</a></div>
    <div class="main"><h2>校长寄语</h2><div class="text"><p>同学们，欢迎你们来到美丽的校园，开启人生新的篇章。</p>
    <p>希望你们珍惜时光，勤奋学习，全面发展。</p></div></div></body></html>"""
    assert extract_article(page, "http://news.a.edu.cn/show.php?id=1").title == "校长寄语"


def test_generic_headline_is_the_title_not_its_subtitle():
    page = """<html><head><title>某某大学新闻网</title></head><body>
    <div class="box"><h3>热点</h3></div>
    <div class="detail"><h1>扎根西部育桃李</h1><h3>——记全国优秀教师李明</h3><div class="info">发布时间：2023-09-10</div>
    <div class="text"><p>三十年来，他扎根西部，把青春献给了教育事业。</p><p>他的学生遍布祖国各地。</p></div></div></body></html>"""
    assert extract_article(page, "http://news.a.edu.cn/show.php?id=2").title == "扎根西部育桃李"


def test_every_picture_of_the_body_in_page_order_repeats_included():
    divider = "https://mmbiz.qpic.cn/mmbiz_gif/divider/0?wx_fmt=gif"
    html = ("<html><head><title>三张图</title></head><body><h1>三张图</h1><div class='content'>"
            + "".join(f"<p>第{n}段：这是一段足够长的正文内容，用来说明图片的顺序与重复。</p><img src='{src}'>"
                      for n, src in enumerate([divider, "/a.jpg", divider, "/b.jpg", divider], 1))
            + "</div></body></html>")
    result = extract_article(html, "http://news.example.edu.cn/2024/0101/c1a2/page.htm", "generic")
    assert result.images == [divider, "http://news.example.edu.cn/a.jpg", divider,
                             "http://news.example.edu.cn/b.jpg", divider]
