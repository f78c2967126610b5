"""WeChat-hosted items: identity, extraction, walls and deleted posts, and a crawl that follows them."""

import json

from scrapy.utils.test import get_crawler

from conftest import crawl, fixture_text

from newscrawl.extract.article import extract_article
from newscrawl.extract.lists import extract_list
from newscrawl.extract.wechat import page_status
from newscrawl.urls import canonical_url, urlname

LIST = "https://www.cumt.edu.cn/19678/list.htm"
NOTICE = "https://www.cumt.edu.cn/f3/0b/c19678a717579/page.htm"
POST = "https://mp.weixin.qq.com/s?__biz=MzA5NjI0NzU1Mg==&mid=2651000001&idx=1&sn=4f2a9c0d1e"
WALLED = "https://mp.weixin.qq.com/s?__biz=MzA5NjI0NzU1Mg==&mid=2651000002&idx=2&sn=77aa01"
DELETED = "https://mp.weixin.qq.com/s/Qm9yZWRXaXRoRGVsZXRlZA"


def test_post_identity_keeps_biz_mid_idx_sn_and_drops_tracking():
    linked = ("http://mp.weixin.qq.com/s?__biz=MzA5NjI0NzU1Mg%3D%3D&mid=2651000001&idx=1&sn=4f2a9c0d1e"
              "&chksm=8b4d2a1bbc3aa30d&scene=27&sharer_shareid=abc&exportkey=x#wechat_redirect")
    assert canonical_url(linked) == POST
    reordered = "https://mp.weixin.qq.com/s?sn=4f2a9c0d1e&idx=1&scene=21&mid=2651000001&__biz=MzA5NjI0NzU1Mg=="
    assert urlname(reordered) == urlname(linked)
    assert canonical_url("https://mp.weixin.qq.com/s/Qm9yZWRXaXRoRGVsZXRlZA?scene=1#rd") == DELETED
    # other hosts are left to the general rules
    assert canonical_url("http://news.xjtu.edu.cn/info/1033/1.htm?from=timeline") == "http://news.xjtu.edu.cn/info/1033/1.htm"


def test_post_fields_come_from_the_page():
    result = extract_article(fixture_text("wechat_post.html"), POST)
    assert result.cms == "wechat"
    assert result.title == "研究生招生宣讲会日程"
    assert result.published.isoformat() == "2023-09-18T13:20:00+08:00"  # var ct, epoch seconds
    assert result.department == "中国矿业大学研究生招生" and result.author == "研招办"
    assert result.paragraphs[0].startswith("为帮助考生全面了解") and result.paragraphs[-1] == "欢迎广大考生报考中国矿业大学！"
    assert result.images == ["https://mmbiz.qpic.cn/mmbiz_jpg/AbCdEf/640?wx_fmt=jpeg&from=appmsg",
                             "https://mmbiz.qpic.cn/mmbiz_png/GhIjKl/640?wx_fmt=png"]
    text = "\n".join(result.paragraphs)
    for chrome in ("预览时标签不可点", "阅读原文", "微信扫一扫", "cumtyz"):
        assert chrome not in text


def test_post_without_ct_takes_create_time_and_og_title():
    html = """<html><head><meta property="og:title" content="只在 og 里的标题"></head><body>
    <div id="js_content"><p>正文一段。</p></div>
    <script>window.cgiDataNew = {create_time: JsDecode('2024-05-06 07:08')};</script></body></html>"""
    result = extract_article(html, POST)
    assert result.title == "只在 og 里的标题"
    assert result.published.isoformat() == "2024-05-06T07:08:00+08:00"


def test_verification_and_deleted_pages_are_recognised_but_a_post_quoting_them_is_a_post():
    assert page_status(fixture_text("wechat_verify.html")) == "verify"
    assert page_status("<html><body><p>请在微信客户端打开链接</p></body></html>") == "verify"
    assert page_status(fixture_text("wechat_deleted.html")) == "gone"
    assert page_status("<body><div class='weui-msg'>此内容因违规无法查看</div></body>") == "gone"
    assert page_status("<body><div id='js_content'><p>服务器环境异常的处理办法</p></div></body>") == "post"
    assert page_status(fixture_text("wechat_post.html")) == "post"


def test_vsb_list_rows_linking_to_wechat_are_rows_of_the_list():
    page = extract_list(fixture_text("xjtu_news_ywjj_list.html"), "https://news.xjtu.edu.cn/ywjj.htm", "vsb")
    assert page.links == ["https://news.xjtu.edu.cn/info/1033/194321.htm", "https://news.xjtu.edu.cn/info/1033/194317.htm",
                          "https://mp.weixin.qq.com/s/XjTuNewsPost001", "https://news.xjtu.edu.cn/info/1033/194290.htm"]


def test_wechat_request_may_leave_the_sources_domains_and_is_parsed_as_a_post(tmp_path):
    from newscrawl.spiders.site import SiteSpider

    crawler = get_crawler(SiteSpider, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path)})
    spider = SiteSpider.from_crawler(crawler)
    request = spider.article_request(POST + "&scene=21")
    assert request.url == POST
    assert request.meta["newscrawl_extra_domains"] == ["mp.weixin.qq.com"] and request.meta["allow_offsite"]
    assert request.callback == spider.parse_wechat
    spider.store.close()


def cumt_notices(mirror):
    mirror.add_fixture(LIST, "cumt_www_19678_list.html")
    mirror.add_fixture(NOTICE, "cumt_www_717601.html")
    mirror.add_fixture(POST, "wechat_post.html")
    mirror.add_fixture(WALLED, "wechat_verify.html")
    mirror.add_fixture(DELETED, "wechat_deleted.html")


def test_list_rows_on_wechat_are_archived_under_the_university(mirror, tmp_path):
    cumt_notices(mirror)
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}", "-O", str(out))
    items = {i["url"]: i for i in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(items) == {NOTICE, POST}, result.stderr[-2000:]
    post = items[POST]
    assert (post["source"], post["school"], post["tags"]) == ("cumt", "中国矿业大学", ["中国矿业大学"])
    assert post["published"] == "2023-09-18T13:20:00+08:00"
    assert (tmp_path / "cumt" / f"{urlname(POST)}.md").exists()
    # the three posts and nothing else of WeChat's: no images, no links out of the posts
    assert sorted(mirror.requested("weixin")) == sorted([POST, WALLED, DELETED])
    summary = json.loads((tmp_path / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    # the walled post is counted once, under the wall's verdict below (not also as dropped)
    assert summary["dropped"] == {"gone": 1}
    # WeChat answered the two other posts normally in this run: the wall is that post's alone, an
    # attempt like an HTTP error (given up after NEWSCRAWL_MAX_ATTEMPTS runs), not WeChat's wall
    assert (summary["status"], summary["blocked"], result.returncode) == ("ok", 0, 0)
    assert summary["failed"] == {"wechat_verification": 1}
    assert f"{WALLED}: WeChat answered with its verification page" in result.stderr
    assert len(list((tmp_path / "cumt").glob("*.md"))) == 2


def test_verification_on_every_post_is_wechats_wall_and_uses_no_attempt(mirror, tmp_path):
    cumt_notices(mirror)
    for post in (POST, DELETED):
        mirror.add_fixture(post, "wechat_verify.html")
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    summary = json.loads((tmp_path / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["blocked"], result.returncode) == ("blocked", 3, 4)
    assert summary["articles_failed"] == 0 and "no attempt used" in result.stderr


def test_without_a_wall_the_crawl_is_ok(mirror, tmp_path):
    cumt_notices(mirror)
    mirror.add(WALLED, fixture_text("wechat_post.html").replace("为帮助考生", "为帮助同学们"))
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={LIST}")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((tmp_path / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["articles_written"], summary["dropped"]) == ("ok", 3, {"gone": 1})


def test_wechat_switch_off_leaves_the_posts_alone(mirror, tmp_path):
    cumt_notices(mirror)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  cumt:\n    school: 中国矿业大学\n    archive: cumt.net.cn\n    wechat: false\n"
                       f"    lists: [\"{LIST}\"]\n", encoding="utf-8")
    crawl(mirror, tmp_path, "cumt", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert mirror.requested("weixin") == []
    assert mirror.requested(NOTICE) == [NOTICE]


def test_site_spider_files_wechat_rows_under_the_lists_own_host(mirror, tmp_path):
    from sitegen import webplus_list

    column = "https://jwc.demo.edu.cn/tzgg/list.htm"
    mirror.add(column, webplus_list([(POST, "讲座通知", "2023-09-18"), ("/2023/0917/c5a1/page.htm", "考试安排", "2023-09-17")],
                                    None, 1, 1))
    mirror.add_fixture(POST, "wechat_post.html")
    out = tmp_path / "items.jsonl"
    result = crawl(mirror, tmp_path, "site", "-a", f"lists={column}", "-O", str(out))
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(i["url"], i["source"]) for i in items] == [(POST, "jwc.demo.edu.cn")], result.stderr[-2000:]


def test_with_files_all_a_posts_pictures_are_kept_from_wechats_picture_host(mirror, tmp_path):
    import hashlib

    from sitegen import webplus_list

    column = "https://www.cumt.edu.cn/19690/list.htm"
    mirror.add(column, webplus_list([(POST, "讲座通知", "2023-09-18")], None, 1, 1))
    mirror.add_fixture(POST, "wechat_post.html")
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20
    mirror.add("https://mmbiz.qpic.cn/mmbiz_jpg/AbCdEf/640?wx_fmt=jpeg&from=appmsg", jpeg, content_type="image/jpeg")
    result = crawl(mirror, tmp_path, "cumt", "-a", f"lists={column}", settings={"NEWSCRAWL_FILES": "all"})
    sha = hashlib.sha256(jpeg).hexdigest()
    assert (tmp_path / "files" / sha[:2] / f"{sha}.jpg").read_bytes() == jpeg, result.stderr[-2000:]
    markdown = (tmp_path / "cumt" / f"{urlname(POST)}.md").read_text(encoding="utf-8")
    assert f'![图](/files/{sha[:2]}/{sha}.jpg "https://mmbiz.qpic.cn/mmbiz_jpg/AbCdEf/640?wx_fmt=jpeg&from=appmsg")' in markdown
    # the other picture is not served: counted, its link stays WeChat's
    assert "![图](https://mmbiz.qpic.cn/mmbiz_png/GhIjKl/640?wx_fmt=png)" in markdown
