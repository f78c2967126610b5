"""Column discovery: which pages a site's home page leads to are column lists, and their sources.yaml entry."""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from newscrawl.config import ConfigError, NAME_RE, load_sources, parse_sources, university_domain
from newscrawl.extract.common import FILE_EXT_RE, first_text, meta_map, strip_site_suffix
from newscrawl.extract.lists import ARTICLE_LIKE_RE, extract_list
from newscrawl.pipelines.write import FILE_MODE, write_atomically
from newscrawl.urls import canonical_url, host_of, is_http_url, is_wechat_url

MIN_ROWS = 2           # a column's first page lists at least this many articles
MIN_DATED_SHARE = 0.5  # a list without a pager needs dates on at least half of its rows
MORE_LABELS = re.compile(r"^(?:更多|更多>+|more|MORE|More|>+|»|查看更多|\+)\s*$")
DATE_IN_ROW_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?")
WEBPLUS_LIST_RE = re.compile(r"/list\d*\.htm$")
VSB_PAGE_RE = re.compile(r"^(?P<col>/.+)/\d+\.htm$")  # VSB page N of a column: /xwzx/123.htm
NOT_A_COLUMN_RE = re.compile(r"^/(?:$|index\.\w+$|main\.htm$|default\.\w+$)|/listm\d*\.htm$|/(?:login|search)\b", re.I)
SCHOOL_RE = re.compile(r"[\u4e00-\u9fff]{2,20}?(?:大学|学院)")
GREETING_RE = re.compile(r"^(?:欢迎访问|欢迎来到|欢迎光临)")
ROW_TAGS = ("li", "tr", "dd", "dt")


@dataclass
class Candidate:
    url: str
    title: str | None
    order: int


@dataclass
class Column:
    url: str
    cms: str
    title: str | None
    rows: int
    order: int


def _resolve(href: str | None, base_url: str) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    url = urljoin(base_url, href)
    return canonical_url(url) if is_http_url(url) else None


def column_page_one(url: str) -> str:
    """The first page of the column a list URL belongs to (list3.htm -> list.htm, col/12.htm -> col.htm)."""
    parts = urlsplit(url)
    path = parts.path
    if WEBPLUS_LIST_RE.search(path):
        path = WEBPLUS_LIST_RE.sub("/list.htm", path)
    else:
        match = VSB_PAGE_RE.match(path)
        if match and "/info/" not in path:
            path = match["col"] + ".htm"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def candidate_links(html: str, url: str, start: int = 0) -> list[Candidate]:
    """Links of a page that may be column lists of the same site: WebPlus list.htm first, then the rest."""
    sel = Selector(text=html)
    host = host_of(url)
    found: dict[str, Candidate] = {}
    for a in sel.css("a[href]"):
        target = _resolve(a.attrib.get("href"), url)
        if not target or host_of(target) != host or is_wechat_url(target):
            continue
        path = urlsplit(target).path or "/"
        if ARTICLE_LIKE_RE.search(target) or FILE_EXT_RE.search(target) or NOT_A_COLUMN_RE.search(path):
            continue
        target = column_page_one(target)
        if target.rstrip("/") == url.rstrip("/"):
            continue
        text = " ".join(" ".join(a.css("::text").getall()).split()) or a.attrib.get("title", "").strip()
        title = None if not text or MORE_LABELS.match(text) or len(text) > 30 else text
        if target in found:
            if title and not found[target].title:
                found[target].title = title
            continue
        found[target] = Candidate(target, title, start + len(found))
    # WebPlus columns are named list.htm: read them before the site's other pages
    return sorted(found.values(), key=lambda c: (not WEBPLUS_LIST_RE.search(urlsplit(c.url).path), c.order))


def _dated_share(sel: Selector, links: list[str], url: str) -> float:
    """Share of the list's rows whose row text carries a date."""
    wanted, dated = set(links), set()
    for a in sel.css("a[href]"):
        target = _resolve(a.attrib.get("href"), url)
        if target not in wanted or target in dated:
            continue
        row = a.root
        while row is not None and row.tag not in ROW_TAGS and row.getparent() is not None and row.tag != "body":
            row = row.getparent()
        if row is None or row.tag not in ROW_TAGS:
            row = a.root.getparent()
        if row is not None and DATE_IN_ROW_RE.search(" ".join(row.itertext())):
            dated.add(target)
    return len(dated) / len(wanted) if wanted else 0.0


def read_column(html: str, url: str, candidate: Candidate) -> Column | None:
    """The column a page is, if its first page lists articles (paginated, or with dated rows)."""
    page = extract_list(html, url)
    if len(page.links) < MIN_ROWS:
        return None
    sel = Selector(text=html)
    if not page.next_url and _dated_share(sel, page.links, url) < MIN_DATED_SHARE:
        return None
    title = candidate.title or column_title(sel)
    return Column(url=url, cms=page.cms, title=title, rows=len(page.links), order=candidate.order)


def column_title(sel: Selector) -> str | None:
    meta = meta_map(sel)
    return (meta.get("pagetitle") or meta.get("columnname")
            or first_text(sel, ".col_title, .column-name, .col_name_text, .lmmc h2, .lm_name")
            or strip_site_suffix(first_text(sel, "title")))


def site_identity(html: str, url: str) -> tuple[str, str]:
    """(source name, school) of a site, from its host and its home page's title."""
    sel = Selector(text=html)
    meta = meta_map(sel)
    title = GREETING_RE.sub("", (meta.get("sitename") or first_text(sel, "title") or "").strip())
    match = SCHOOL_RE.search(title)
    school = match.group() if match else (strip_site_suffix(title) or host_of(url))
    name = re.sub(r"[^a-z0-9_]", "_", university_domain(host_of(url)).split(".")[0].lower())
    if not NAME_RE.match(name):
        name = "u_" + name
    return name, school


def site_domain(home_url: str) -> str:
    """The domain a discovered source covers (its entry's `domains`): the home page's university."""
    return university_domain(host_of(home_url))


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


def source_entry(name: str, school: str, home_url: str, columns: list[Column]) -> str:
    """A sources.yaml entry (indented for the `sources:` mapping), one list line per column."""
    domain = site_domain(home_url)
    kinds = {c.cms for c in columns}
    lines = [
        f"  {name}:",
        f"    school: {_yaml_str(school)}",
        f"    archive: {_yaml_str(domain)}          # the name of your archive for this school",
        f"    cms: {kinds.pop() if len(kinds) == 1 else 'auto'}",
        f"    domains: [{_yaml_str(domain)}]",
        "    lists:",
    ]
    for column in sorted(columns, key=lambda c: c.order):
        title = " ".join((column.title or "?").split()).replace("#", "＃")
        lines.append(f"      - {{url: {_yaml_str(column.url)}, cms: {column.cms}}}   # {title}: {column.rows} rows")
    return "\n".join(lines) + "\n"


def append_entry(path: str | Path, name: str, entry: str) -> None:
    """Append an entry to a sources file (created if missing); the file is left as it was on any error.

    The new text is checked first, then written beside the file and renamed over it: a full disk or
    a file size limit never leaves the file cut mid-entry (every cron crawl would stop at it).
    """
    path = Path(path)
    original = path.read_text(encoding="utf-8") if path.exists() else None
    if original is not None:
        if name in load_sources(path):  # a broken file raises ConfigError here, untouched
            raise ConfigError(f"{path}: sources.{name}: already there (give another name with --name)")
        text = original + ("" if original.endswith("\n") else "\n") + "\n" + entry
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        text = "sources:\n" + entry
        mode = FILE_MODE
    parse_sources(path, text)  # what is written loads, or nothing is written
    # written where a link at path points (a sources file kept elsewhere stays linked)
    write_atomically(path.resolve(), text, mode=mode, sync_folder=True)
