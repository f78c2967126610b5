"""A column whose rows and pager are made by scripts: <a href="#" newsId=…> rows and a pager that
submits a form. The article addresses come from the source's list_link_url; the next page from the
pager's onclick."""

import json

from conftest import crawl
from sitegen import seed_paragraphs

HOST = "http://www.jwc.example.edu.cn"
IDS = [["567e154529581c6ecb4d303cf74f5e16", "0589c37f3fc86a5ebf8569c140141c8f", "406b4aff51cdeabfbfdc2c9eb4e49918"],
       ["35cb8ee590be28f64bf50a05dab94736", "02d5f1790f41f3eba983088fcf2e1e16"]]


def column(page: int, ids: list[str], pages: int) -> str:
    rows = "".join(f'<div class="textAreo clearfix"><a href="#" newsId="{news_id}" title="教务通知{page}-{n}">'
                   f"【教管】教务通知{page}-{n}</a><i>2026/09/2{n}</i></div>" for n, news_id in enumerate(ids))
    pager = (f"<a class='list_link' href=\"#\" onclick=\"javascript:document.pageForm.action='/hard/?page={page + 1}';"
             f"document.pageForm.submit();return false;\">下一页&gt;</a>" if page < pages else "下一页&gt;")
    return (f'<html><head><meta charset="utf-8"><title>重要公告</title></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/hard/">重要公告</a></div>{rows}'
            f'<div class="messageBtnGroup">首页&lt;上一页<span>{page}/{pages}</span>{pager}'
            f"<form name='pageForm' action='/hard/?page={page}' method='post'></form></div></body></html>")


def article(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="nav"><a href="/">首页</a></div>'
            f'<div class="detail"><h1>{title}</h1><div class="info">发布时间：2026-09-20</div>'
            f'<div class="content">{body}</div></div></body></html>')


def test_a_column_built_by_scripts_is_crawled_through_its_configured_link_url(mirror, tmp_path):
    texts = seed_paragraphs()
    for page, ids in enumerate(IDS, start=1):
        mirror.add(f"{HOST}/hard/?page={page}", column(page, ids, len(IDS)))
        for n, news_id in enumerate(ids):
            mirror.add(f"{HOST}/info/{news_id}", article(f"教务通知{page}-{n}", texts[n * 3 + page:n * 3 + page + 3]))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  jwc:\n    school: 某某大学\n    archive: jwc.example\n    cms: generic\n"
        f"    lists: ['{HOST}/hard/?page=1']\n"
        "    selectors: {list_links: 'div.textAreo a[newsId]', list_link_url: '/info/{newsid}'}\n", encoding="utf-8")
    result = crawl(mirror, tmp_path, "jwc", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{HOST}/hard/?page=2" in mirror.log  # the pager's onclick, followed
    summary = json.loads((tmp_path / ".newscrawl" / "jwc.last-crawl.json").read_text(encoding="utf-8"))
    assert summary["articles_written"] == 5
    titles = sorted(p.read_text(encoding="utf-8").split("\n", 2)[1] for p in (tmp_path / "jwc").glob("*.md"))
    assert len(titles) == 5 and all("教务通知" in t for t in titles)


def test_a_list_links_selector_that_matches_nothing_is_a_layout_change(mirror, tmp_path):
    """README: such a selector is not left to detection; the page is named and the crawl exits 3."""
    mirror.add(f"{HOST}/hard/?page=1", column(1, IDS[0], 1))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  jwc:\n    school: 某某大学\n    archive: jwc.example\n    cms: generic\n"
        f"    lists: ['{HOST}/hard/?page=1']\n    selectors: {{list_links: 'ul.gone li a'}}\n", encoding="utf-8")
    result = crawl(mirror, tmp_path, "jwc", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    assert result.returncode == 3, result.stderr[-3000:]
    assert f"list page {HOST}/hard/?page=1 (page 1, generic) has no article links" in result.stderr
    assert not any("/info/" in url for url in mirror.log)
