"""How sure extraction is, and what the crawl does with it: doubtful articles archived and said,
channel pages dropped as not_article, 瑞数's probe on a full article no wall."""

import json
import re

from conftest import crawl

from newscrawl.extract.article import extract_article
from newscrawl.extract.confidence import DOUBTFUL
from newscrawl.report import render_report, source_health

HOST = "http://news.example-conf.edu.cn"
ARTICLE = f"{HOST}/xw/2024/0509/a1.htm"
DOUBTFUL_PAGE = f"{HOST}/xw/2024/0510/a2.htm"
CHANNEL = f"{HOST}/xw/index.htm"
PROBED = f"{HOST}/xw/2024/0511/a3.htm"

PROSE = "".join(f"<p>第{i}段：学校召开专题会议，研究部署新学期教学工作，要求各单位认真落实、扎实推进。</p>" for i in range(6))
GOOD = f"""<html><head><meta charset="utf-8"><title>学校召开新学期工作会议-新闻网</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/xw/">新闻</a></div>
<div class="article"><h1>学校召开新学期工作会议</h1><div class="info">发布时间：2024-05-09</div>
<div class="article-content">{PROSE}</div></div><div class="footer">版权所有 某某大学</div></body></html>"""
# the only text is two equal link-heavy boxes: the choice between them is a guess
RIVALS = "".join(
    f'<div class="box{i}"><p>{"，".join(["学院动态"] * 8)}。</p>'
    + "".join(f'<a href="/xw/{i}{j}.htm">相关新闻标题第{j}条</a>' for j in range(6)) + "</div>"
    for i in range(2))
DOUBTFUL_HTML = f"""<html><head><meta charset="utf-8"><title>某某大学新闻网首页推荐内容汇总页</title></head><body>
<h1>新闻</h1>{RIVALS}</body></html>"""
ROWS = "".join(f'<li><a href="/xw/2024/04{i:02d}/b{i}.htm">学校举办第{i}场学术报告会暨研讨交流活动</a><span>2024-04-{i:02d}</span></li>'
               for i in range(1, 21))
CHANNEL_HTML = f"""<html><head><meta charset="utf-8"><title>学校要闻</title></head><body>
<div class="top">2024年5月9日 星期四 | <a href="/login">登录</a></div>
<ul class="news_list">{ROWS}</ul><div class="page"><a href="index2.htm">下一页</a></div></body></html>"""
PROBED_HTML = GOOD.replace("<head>", "<head><meta content=\"x\" r='m'><script r='m'>$_ts=window['$_ts'];</script>") \
    .replace("教学工作", "科研工作")


def test_a_clear_article_is_confident_and_a_guess_is_doubtful():
    good = extract_article(GOOD, ARTICLE)
    assert good.confidence >= DOUBTFUL and good.doubts == [] and good.page_kind == "article"
    guess = extract_article(DOUBTFUL_HTML, DOUBTFUL_PAGE)
    assert guess.page_kind == "article" and guess.paragraphs
    assert guess.confidence < DOUBTFUL and guess.doubts


def test_a_channel_page_is_not_an_article():
    result = extract_article(CHANNEL_HTML, CHANNEL)
    assert result.page_kind == "not_article"
    assert any("channel or list page" in d for d in result.doubts)


def test_crawl_archives_doubtful_articles_says_so_and_drops_channel_pages(mirror, tmp_path):
    for url, html in ((ARTICLE, GOOD), (DOUBTFUL_PAGE, DOUBTFUL_HTML), (CHANNEL, CHANNEL_HTML), (PROBED, PROBED_HTML)):
        mirror.add(url, html)
    out = tmp_path / "out"
    result = crawl(mirror, out, "article", "-a", f"url={ARTICLE},{DOUBTFUL_PAGE},{CHANNEL},{PROBED}",
                   "-O", str(tmp_path / "items.jsonl"))
    assert result.returncode == 0, result.stderr[-2000:]
    items = {i["url"]: i for i in map(json.loads, (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines())}
    # the doubtful one is archived (nothing lost), with its confidence in the JSON and one log line
    assert set(items) == {ARTICLE, DOUBTFUL_PAGE, PROBED}
    assert items[DOUBTFUL_PAGE]["confidence"] < DOUBTFUL and items[DOUBTFUL_PAGE]["doubts"]
    assert items[ARTICLE]["confidence"] >= DOUBTFUL and items[PROBED]["confidence"] >= DOUBTFUL
    assert len(re.findall(r"doubtful extraction .*a2\.htm", result.stderr)) == 1
    # the channel page: dropped, counted, one line; the full article with 瑞数's probe: no wall
    assert len(re.findall(r"dropped \(not_article\): .*channel or list page.*index\.htm", result.stderr)) == 1
    summary = json.loads((out / ".newscrawl" / "article.last-crawl.json").read_text(encoding="utf-8"))
    assert summary["dropped"].get("not_article") == 1 and summary["blocked"] == 0
    assert summary["doubtful"] == 1 and summary["extracted"] == 3
    assert "extraction doubtful on 1 of 3 articles" in result.stderr
    # the archive's Markdown carries no confidence: the format is unchanged
    for md in (out / "news.example-conf.edu.cn").glob("*.md"):
        assert "confidence" not in md.read_text(encoding="utf-8")


def test_health_page_names_sources_with_doubtful_extraction():
    now = 1_800_000_000.0
    runs = [{"source": "x", "started_at": now - 3600, "status": "ok", "articles_written": 20, "problems": [],
             "counts": {"doubtful": 7, "extracted": 20}}]
    health = source_health("x", runs, now)
    assert "extraction doubtful on 7 of 20 articles in 30 days — add selectors" in health["notes"]
    # shown in the row's problems cell, after the last run's problems
    page = render_report(["x"], runs, now)
    assert '<span class="note">extraction doubtful on 7 of 20 articles in 30 days — add selectors</span>' in page


def test_a_short_notice_beside_a_column_of_latest_notices_stays_an_article():
    latest = "".join(f'<li><a href="/tz/{i}.htm">关于做好第{i}项工作的有关通知</a></li>' for i in range(12))
    html = f"""<html><head><title>停电通知-某某大学</title></head><body><div class="main"><h1>停电通知</h1>
    <div class="con"><p>本周五停电，请相互转告。</p></div></div>
    <div class="side-news"><h3>最新通知</h3><ul>{latest}</ul></div></body></html>"""
    result = extract_article(html, f"{HOST}/tz/99.htm")
    assert result.page_kind == "article" and result.paragraphs == ["本周五停电，请相互转告。"]
    assert result.confidence < DOUBTFUL  # a scrap of a body: archived, and said
