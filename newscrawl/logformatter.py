"""Log lines about items name the URL and the reason, never dump the item (an article can be 266 KB)."""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class OneLineLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "dropped %(exception)s"
        entry["args"] = {"exception": exception}
        return entry

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "article failed in the pipeline: %(url)s",
                "args": {"url": getattr(item, "url", "?")}}

    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "archived %(url)s", "args": {"url": getattr(item, "url", "?")}}
