"""Loads and validates the sources file: one entry per news source, each becoming a spider."""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from cssselect import SelectorError
from parsel import Selector

from newscrawl.extract.lists import TEMPLATE_FIELD_RE

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.yaml")
KNOWN_CMS = ("auto", "webplus", "vsb", "thepaper", "generic")
SELECTOR_KEYS = ("list_links", "list_link_url", "title", "body", "date")
# list_link_url is not CSS: the article's address built from attributes of each list_links match
# ('/info/{newsid}' for <a href="#" newsId="567e…">, a row whose link a script makes)
TEMPLATE_KEYS = ("list_link_url",)
SOURCE_KEYS = {
    "school", "archive", "tags", "categories", "cms", "lists", "domains", "selectors",
    "status", "note", "pph", "wechat",
}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
EMPTY_PAGE = Selector(text="<html><body></body></html>")


class ConfigError(ValueError):
    """A sources file that cannot be used; the message names the file and the bad key."""


@dataclass(frozen=True)
class ListPage:
    url: str
    cms: str = "auto"


@dataclass(frozen=True)
class PphAccount:
    """A 澎湃号 account followed by a thepaper source, and whose articles it is (None: the source's)."""
    id: str
    school: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    school: str
    archive: str
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    cms: str = "auto"
    lists: tuple[ListPage, ...] = ()
    domains: tuple[str, ...] = ()
    selectors: dict = field(default_factory=dict)
    status: str = "confirmed"
    pph: tuple[str, ...] = ()
    pph_accounts: tuple[PphAccount, ...] = ()
    wechat: bool = True  # follow list rows that link to WeChat official-account posts

    def owns_host(self, host: str) -> bool:
        """True when host is one of the source's domains or a subdomain of one."""
        host = (host or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


def university_domain(host: str) -> str:
    """The registrable domain of a host: cumt.edu.cn for news.cumt.edu.cn, thepaper.cn for www.thepaper.cn."""
    labels = (host or "").lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in ("edu", "com", "org", "gov", "net", "ac") and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _fail(path, where, problem):
    raise ConfigError(f"{path}: {where}: {problem}")


def _http_url(path, where, value):
    if not isinstance(value, str):
        _fail(path, where, f"expected a URL string, got {type(value).__name__}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(path, where, f"not an http(s) URL: {value!r}")
    return value


def _string_list(path, where, value, required=True):
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(path, where, "expected a non-empty list of strings")
    return tuple(v.strip() for v in value)


def css_problem(css: str) -> str | None:
    """Why a selector cannot be used (compiled as the extractors use it: parsel), or None."""
    try:
        EMPTY_PAGE.css(css)
    except (SelectorError, ValueError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _parse_pph(path, where, raw) -> tuple[PphAccount, ...]:
    """pph: [id, ...] | {id: school} | {id: {school, tags, categories}} | [{id, school, tags?, categories?}, ...]"""
    if raw is None:
        return ()
    if isinstance(raw, dict):
        raw = [{"id": key, **(value if isinstance(value, dict) else {"school": value})} for key, value in raw.items()]
    if not isinstance(raw, list):
        _fail(path, where, "expected a list of account ids, or a mapping of account id to school")
    accounts = []
    for i, entry in enumerate(raw):
        at = f"{where}[{i}]"
        if isinstance(entry, (str, int)) and not isinstance(entry, bool):
            entry = {"id": entry}
        if not isinstance(entry, dict):
            _fail(path, at, "expected an account id or {id, school, tags, categories}")
        unknown = set(entry) - {"id", "school", "tags", "categories"}
        if unknown:
            _fail(path, f"{at}.{sorted(unknown)[0]}", "unknown key (known: id, school, tags, categories)")
        account_id = str(entry.get("id") or "").strip()
        if not account_id.isdigit():
            _fail(path, f"{at}.id", f"a 澎湃号 account id is a number, got {entry.get('id')!r}")
        school = entry.get("school")
        if school is not None and (not isinstance(school, str) or not school.strip()):
            _fail(path, f"{at}.school", "expected the school's name")
        accounts.append(PphAccount(
            id=account_id, school=school.strip() if school else None,
            tags=_string_list(path, f"{at}.tags", entry.get("tags"), required=False),
            categories=_string_list(path, f"{at}.categories", entry.get("categories"), required=False),
        ))
    return tuple(accounts)


def _parse_source(path, name, raw) -> Source:
    where = f"sources.{name}"
    if not NAME_RE.match(name):
        _fail(path, where, "a source name must be lowercase letters, digits and _, starting with a letter "
              "(it names a spider and a folder)")
    if not isinstance(raw, dict):
        _fail(path, where, "expected a mapping")
    unknown = set(raw) - SOURCE_KEYS
    if unknown:
        _fail(path, f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(SOURCE_KEYS))})")
    for key in ("school", "archive"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            _fail(path, f"{where}.{key}", "missing or empty")
    cms = raw.get("cms", "auto")
    if cms not in KNOWN_CMS:
        _fail(path, f"{where}.cms", f"unknown CMS {cms!r} (known: {', '.join(KNOWN_CMS)})")
    lists = []
    for i, entry in enumerate(raw.get("lists") or []):
        at = f"{where}.lists[{i}]"
        if isinstance(entry, dict):
            list_cms = entry.get("cms", cms)
            if list_cms not in KNOWN_CMS:
                _fail(path, f"{at}.cms", f"unknown CMS {list_cms!r} (known: {', '.join(KNOWN_CMS)})")
            lists.append(ListPage(_http_url(path, f"{at}.url", entry.get("url")), list_cms))
        else:
            lists.append(ListPage(_http_url(path, at, entry), cms))
    if not lists and cms != "thepaper":
        _fail(path, f"{where}.lists", "a source needs at least one list page")
    selectors = raw.get("selectors") or {}
    if not isinstance(selectors, dict):
        _fail(path, f"{where}.selectors", "expected a mapping")
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            _fail(path, f"{where}.selectors.{key}", f"unknown selector (known: {', '.join(SELECTOR_KEYS)})")
        if key in TEMPLATE_KEYS:
            if not isinstance(value, str) or not TEMPLATE_FIELD_RE.search(value):
                _fail(path, f"{where}.selectors.{key}",
                      "expected an address with an {attribute} of the list_links element in braces, "
                      "e.g. '/info/{newsid}'")
            if "list_links" not in selectors:
                _fail(path, f"{where}.selectors.{key}", "needs list_links: the elements whose attributes it reads")
            continue
        if not isinstance(value, str) or not value.strip():
            _fail(path, f"{where}.selectors.{key}", "expected a CSS selector string")
        problem = css_problem(value)
        if problem:
            _fail(path, f"{where}.selectors.{key}", f"not a valid CSS selector {value!r}: {problem}")
    domains = _string_list(path, f"{where}.domains", raw.get("domains"), required=False)
    if not domains:
        domains = tuple(dict.fromkeys(university_domain(urlsplit(lp.url).hostname) for lp in lists))
    wechat = raw.get("wechat", True)
    if not isinstance(wechat, bool):
        _fail(path, f"{where}.wechat", "expected true or false")
    pph = _parse_pph(path, f"{where}.pph", raw.get("pph"))
    status = raw.get("status", "confirmed")
    if status not in ("confirmed", "unconfirmed"):
        _fail(path, f"{where}.status", "expected 'confirmed' or 'unconfirmed'")
    return Source(
        name=name,
        school=raw["school"].strip(),
        archive=raw["archive"].strip(),
        tags=_string_list(path, f"{where}.tags", raw.get("tags", [raw["school"]])),
        categories=_string_list(path, f"{where}.categories", raw.get("categories", [raw["archive"], raw["school"]])),
        cms=cms,
        lists=tuple(lists),
        domains=tuple(d.lower() for d in domains),
        selectors=dict(selectors),
        status=status,
        pph=tuple(a.id for a in pph),
        pph_accounts=pph,
        wechat=wechat,
    )


def load_sources(path: str | Path | None = None) -> dict[str, Source]:
    """Read and validate a sources file; raise ConfigError naming the bad key.

    The spider loader, every spider and crawlall ask for it: it is parsed once per file version.
    """
    if not path and not DEFAULT_SOURCES_FILE.exists():
        # installed as a zipped egg (Scrapyd): no file on disk, the package's resources have it
        return dict(_load_packaged_sources())
    path = Path(path) if path else DEFAULT_SOURCES_FILE
    try:
        version = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc.strerror}") from None
    return dict(_load_sources(path, version))


@lru_cache(maxsize=1)
def _load_packaged_sources() -> dict[str, Source]:
    text = importlib.resources.files("newscrawl").joinpath(DEFAULT_SOURCES_FILE.name).read_text(encoding="utf-8")
    return parse_sources(DEFAULT_SOURCES_FILE, text)


@lru_cache(maxsize=8)
def _load_sources(path: Path, version: int) -> dict[str, Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc.strerror}") from None
    return parse_sources(path, text)


BY_REFERENCE = "a sources file may not repeat values by reference (anchors &, aliases *, merges <<); write each value out"


class _Refused(Exception):
    """An anchor or alias, where the loader met it (the path is added by _read_yaml)."""

    def __init__(self, mark, problem: str):
        super().__init__(problem)
        self.mark, self.problem = mark, problem


class _SourcesLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first anchor or alias, before anything is expanded.

    A billion-laughs file is a few lines of aliases that expand to gigabytes; a sources file has no
    use for them, so the first one is refused, and reading costs what the text costs.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"YAML alias *{event.anchor} refused: {BY_REFERENCE}")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, f"YAML anchor &{event.anchor} refused: {BY_REFERENCE}")
        return super().compose_node(parent, index)


def _check_keys(path: Path, loader: yaml.SafeLoader, root) -> None:
    """Every mapping's keys are distinct (PyYAML keeps the last of two silently) and no merge key."""
    todo = [(root, "")]
    while todo:  # a loop, not recursion: nesting deep enough to compose must not crash the check
        node, where = todo.pop()
        if isinstance(node, yaml.SequenceNode):
            todo.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first_line: dict = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ConfigError(f"{path}: line {line}: YAML merge key << refused: {BY_REFERENCE}")
                key = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                at = f"{where}.{key}" if where else str(key)
                if isinstance(key, (str, int, float, bool)):  # other keys: the constructor refuses them
                    if key in first_line:
                        seen = first_line[key]
                        on = f"on lines {seen} and {line}" if seen != line else f"twice on line {line}"
                        raise ConfigError(f"{path}: {at}: duplicate key {on} (YAML would keep only the last)")
                    first_line[key] = line
                todo.append((value_node, at))


def _read_yaml(path: Path, text: str):
    """The file's data, or ConfigError naming the line: syntax, duplicate keys, anchors and aliases."""
    loader = _SourcesLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_keys(path, loader, node)
        return loader.construct_document(node)
    except _Refused as exc:
        raise ConfigError(f"{path}: line {exc.mark.line + 1}, column {exc.mark.column + 1}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML: {where}{problem}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise ConfigError(f"{path}: not valid YAML: nested too deeply to read") from None
    finally:
        loader.dispose()


def parse_sources(path: Path, text: str) -> dict[str, Source]:
    """The sources in text, as load_sources reads them from path (messages name path)."""
    data = _read_yaml(path, text)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict) or not data["sources"]:
        raise ConfigError(f"{path}: sources: missing (expected a mapping of source name to its settings)")
    unknown = set(data) - {"sources"}
    if unknown:
        raise ConfigError(f"{path}: {sorted(unknown)[0]}: unknown top-level key (expected only 'sources')")
    for name in data["sources"]:
        if not isinstance(name, str):
            # 'yes:', 'on:', '2024:' are a boolean or a number to YAML, never a name
            _fail(path, f"sources.{name}", f"YAML reads this source name as the {type(name).__name__} {name!r}: "
                  "a source name is lowercase letters, digits and _, starting with a letter")
    return {name: _parse_source(path, name, raw) for name, raw in data["sources"].items()}


def source_for_host(sources: dict[str, Source], host: str) -> Source | None:
    """The configured source whose domains cover host, if any."""
    for source in sources.values():
        if source.owns_host(host):
            return source
    return None


def adhoc_source(url: str) -> Source:
    """A source for an unconfigured site: named after the host, school and archive unknown."""
    host = (urlsplit(url).hostname or "unknown").lower()
    return Source(name=host, school=host, archive=host, tags=(host,), categories=(host,),
                  domains=(university_domain(host),))
