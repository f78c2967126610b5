"""Spider classes built from sources.yaml: one per configured source, named after it."""

from __future__ import annotations

from newscrawl.config import Source
from newscrawl.spiders.base import NewsSpider
from newscrawl.spiders.thepaper import ThePaperSpider


class SourceSpider(NewsSpider):
    """A configured WebPlus/VSB/generic source: its list pages come from the sources file."""


def spider_class_for(source: Source) -> type[NewsSpider]:
    base = ThePaperSpider if source.cms == "thepaper" else SourceSpider
    class_name = "".join(part.capitalize() for part in source.name.split("_")) + "Spider"
    return type(class_name, (base,), {
        "name": source.name,
        "source_name": source.name,
        "__module__": __name__,
        "__doc__": f"{source.school} ({source.cms}): {len(source.lists)} list page(s) from sources.yaml.",
    })
