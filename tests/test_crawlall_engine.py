"""crawlall: every source in one Scrapy engine, each still reported on its own."""

import json

from conftest import scrapy
from sitegen import build_webplus_site


def test_one_engine_reports_each_source_broken_blocked_or_fine(mirror, tmp_path):
    build_webplus_site(mirror.add, "news.good.edu.cn", "xw", articles=3, per_page=3)
    mirror.add("http://news.broken.edu.cn/xw/list.htm", "<html><body>改版中</body></html>")
    mirror.add("http://news.walled.edu.cn/xw/list.htm", "", status=412)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f"  {name}:\n    school: {name}大学\n    archive: {name}.example\n    lists: [http://news.{name}.edu.cn/xw/list.htm]\n"
        for name in ("good", "broken", "walled")), encoding="utf-8")
    env = {"http_proxy": mirror.url, "https_proxy": mirror.url, "PATH": "/usr/bin:/bin"}
    result = scrapy("crawlall", "-s", f"NEWSCRAWL_SOURCES_FILE={sources}", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}",
                    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0", env=env)
    statuses = {name: json.loads((tmp_path / ".newscrawl" / f"{name}.last-crawl.json").read_text())["status"]
                for name in ("good", "broken", "walled")}
    assert statuses == {"good": "ok", "broken": "broken", "walled": "blocked"}, result.stderr[-3000:]
    assert result.returncode == 4  # the worst of the three
    assert len(list((tmp_path / "good").glob("*.md"))) == 3
    # one engine: one crawl started, one summary block per source
    assert result.stderr.count("crawl of crawlall started") == 1
    assert all(f"crawl summary for {name}:" in result.stderr for name in ("good", "broken", "walled"))
