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
