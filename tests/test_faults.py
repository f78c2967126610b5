"""Fault injection: one crawl of a column whose articles fail in every way a network can fail."""

import json
import subprocess

import pytest

from conftest import PROJECT, crawl, crawl_command
from sitegen import build_webplus_site

HOST = "xwzx.cumt.edu.cn"
LIST = f"http://{HOST}/900/list.htm"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    from conftest import Mirror

    mirror = Mirror()
    urls = build_webplus_site(mirror.add, HOST, "900", articles=14, per_page=7)
    faults = {
        "retried_then_ok": dict(fail_first=1),
        "always_503": dict(status=503),
        "timeout": dict(delay=3),
        "reset": dict(reset=True),
        "truncated": dict(truncate=True),
        "missing_404": dict(status=404),
        "oversized": dict(body="<p>" + "大" * 200_000 + "</p>"),
    }
    victims = dict(zip(faults, urls))
    for name, fault in faults.items():
        route = dict(mirror.routes[victims[name]])
        route.update({k: v for k, v in fault.items() if k != "body"})
        if "body" in fault:
            route["body"] = fault["body"].encode()
        mirror.routes[victims[name]] = route
    # a redirect loop and an answer that is a login page
    loop, login = urls[7], urls[8]
    mirror.add(loop, b"", status=302, headers={"Location": loop})
    mirror.add(login, b"", status=302, headers={"Location": "http://ids.cumt.edu.cn/authserver/login?service=x"})
    mirror.add("http://ids.cumt.edu.cn/authserver/login?service=x",
               '<html><body><form><input name="username"><input type="password" name="password"></form>统一身份认证</body></html>')
    victims.update(redirect_loop=loop, login_page=login)
    out = tmp_path_factory.mktemp("faulty")
    result = crawl(mirror, out, "cumt", "-a", f"lists={LIST}",
                   settings={"DOWNLOAD_TIMEOUT": 1, "DOWNLOAD_MAXSIZE": 100_000, "RETRY_TIMES": 2,
                             "NEWSCRAWL_MAX_FAILED_SHARE": 0.25})
    summary = json.loads((out / ".newscrawl" / "cumt.last-crawl.json").read_text(encoding="utf-8"))
    yield {"mirror": mirror, "urls": urls, "victims": victims, "out": out, "result": result, "summary": summary}
    mirror.close()


def written_urls(out):
    return {p.read_text(encoding="utf-8").rsplit("(", 1)[1].rstrip(")") for p in (out / "cumt").glob("*.md")}


def test_healthy_articles_are_all_written(faulty):
    healthy = set(faulty["urls"]) - set(faulty["victims"].values()) | {faulty["victims"]["retried_then_ok"]}
    assert written_urls(faulty["out"]) == healthy


def test_5xx_is_retried_then_counted(faulty):
    assert faulty["mirror"].log.count(faulty["victims"]["always_503"]) == 3  # first try + RETRY_TIMES
    assert faulty["summary"]["http_errors"]["http_503"] == 1


def test_timeout_is_counted(faulty):
    assert faulty["summary"]["http_errors"]["timeout"] == 1


def test_reset_and_truncated_bodies_are_counted_not_written(faulty):
    errors = faulty["summary"]["http_errors"]
    assert (errors["connection_lost"], errors["truncated"]) == (1, 1)
    assert faulty["victims"]["truncated"] not in written_urls(faulty["out"])
    assert faulty["victims"]["reset"] not in written_urls(faulty["out"])


def test_404_article_is_counted(faulty):
    assert faulty["summary"]["http_errors"]["http_404"] == 1


def test_redirect_loop_and_oversized_body_are_counted_as_not_fetched(faulty):
    assert faulty["summary"]["http_errors"]["ignored"] == 1  # redirect loop
    assert faulty["summary"]["http_errors"]["too_large"] == 1
    assert faulty["victims"]["redirect_loop"] not in written_urls(faulty["out"])
    assert faulty["victims"]["oversized"] not in written_urls(faulty["out"])


def test_login_page_is_never_written_as_an_article(faulty):
    assert faulty["summary"]["dropped"] == {"login_page": 1}


def test_source_whose_failed_share_exceeds_the_setting_is_broken(faulty):
    # 7 of 14 new articles failed (the login page is dropped, not failed): over the 0.25 set here
    assert faulty["summary"]["articles_failed"] == 7
    assert faulty["result"].returncode == 3
    assert "7 of 14 articles failed" in faulty["summary"]["problems"][0]


def test_malformed_html_and_nul_bytes_still_give_a_clean_article(mirror, tmp_path):
    url = f"http://{HOST}/2025/0101/c900a1/page.htm"
    page = ("<html class=webplus-page><h1 class=arti_title>残缺\x00页面</h1><div class='wp_articlecontent'>"
            "<p>第一段<b>加粗<p>第二段\x00<table><tr><td>表格</div></body>")
    mirror.add(url, page)
    out = tmp_path / "items.jsonl"
    crawl(mirror, tmp_path, "article", "-a", f"url={url}", "-O", str(out))
    item = json.loads(out.read_text(encoding="utf-8"))
    assert item["title"] == "残缺页面"
    assert "\x00" not in item["body"] and "第二段" in item["body"]


def test_one_broken_source_does_not_stop_the_others(mirror, tmp_path):
    build_webplus_site(mirror.add, HOST, "901", articles=3)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  good:\n    school: 矿大\n    archive: cumt.net.cn\n    lists: [http://xwzx.cumt.edu.cn/901/list.htm]\n"
        "  gone:\n    school: 无\n    archive: none.cn\n    lists: [http://gone.example.edu.cn/list.htm]\n",
        encoding="utf-8")
    cmd, env = crawl_command(mirror, tmp_path, "x", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    cmd[cmd.index("crawl"):cmd.index("crawl") + 2] = ["crawlall"]
    result = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert len(list((tmp_path / "good").glob("*.md"))) == 3
    assert "gone (broken)" in result.stderr
