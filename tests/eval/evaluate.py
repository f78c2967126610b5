"""Extraction accuracy per field on the eval cases (and real pages), ours beside trafilatura, readability and GNE.

Usage: python tests/eval/evaluate.py [--realpages DIR] [--captures DIR] [--only PREFIX]   (also `make eval`)
Each case is tests/eval/cases/<name>/ with page.html and expected.json; the checks are the ones
the shared extract_compare tool makes (title, day of the date, first and last words of the body),
plus what only our extractor promises (attachments, views, images, list rows and next page, the
page's kind — not_article, a WeChat page that is gone —, a wall or not, text that is not garbled).
Pages are decoded from their bytes as the crawl decodes them; our fields are what the crawl would
archive (nothing for a wall or a page that is not an article). The shared real pages and captures
with facts are scored too when present (never by the tests).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
sys.path.insert(0, str(HERE.parents[1]))

from newscrawl.clean import clean_paragraphs  # noqa: E402
from newscrawl.extract.article import extract_article  # noqa: E402
from newscrawl.encoding import choose_encoding, garbled  # noqa: E402
from newscrawl.extract.detect import is_antibot_page  # noqa: E402
from newscrawl.extract.lists import extract_list  # noqa: E402

ARTICLE_FIELDS = ("title", "date", "head", "tail", "excludes", "empty", "attachments", "views", "images", "page_kind",
                  "antibot", "garbled", "doubtful")
LIST_FIELDS = ("links", "next")
DOUBTFUL = 0.5  # newscrawl.extract.confidence.DOUBTFUL, restated so the harness runs on any version


def flat(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def day(value) -> str:
    match = re.search(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", str(value or ""))
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else ""


def decode_page(raw: bytes, content_type: str | None = None) -> str:
    """A page's bytes decoded as the crawl decodes them (EncodingMiddleware's choice)."""
    encoding, bom = choose_encoding(raw, content_type)
    return raw[bom:].decode(encoding, "replace")


def load_cases(root: Path = CASES) -> list[tuple[str, str, dict]]:
    """(name, page HTML, expected) for every case folder, in name order; pages decoded as the crawl does."""
    out = []
    for folder in sorted(p for p in root.iterdir() if (p / "expected.json").exists()):
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        out.append((folder.name, decode_page((folder / "page.html").read_bytes(), expected.get("content_type")),
                    expected))
    return out


def ours(html: str, expected: dict) -> dict:
    """Our article fields as the crawl would archive them: cleaned as the pipelines clean them, and
    nothing for a page refused (an anti-bot wall, a page that is not an article)."""
    if is_antibot_page(200, html.encode("utf-8")):
        return {"title": None, "date": None, "body": "", "antibot": True, "page_kind": "wall", "garbled": False}
    result = extract_article(html, expected["url"], expected.get("cms", "auto"), None, expected.get("base_url"))
    paragraphs, _ = clean_paragraphs(result.paragraphs)
    kind = getattr(result, "page_kind", "article")
    body = "\n".join(paragraphs) if kind == "article" else ""
    return {"title": result.title, "date": result.published, "body": body,
            "attachments": [a["name"] for a in result.attachments], "views": result.views,
            "images": result.images, "antibot": False, "page_kind": kind,
            "confidence": getattr(result, "confidence", None),
            "garbled": garbled((result.title or "") + "\n" + "\n".join(paragraphs))}


def trafilatura_fields(html: str, url: str) -> dict:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=False)
        doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    except Exception:  # a comparator's crash is its miss, not ours
        doc = {}
    return {"title": doc.get("title"), "date": doc.get("date"), "body": doc.get("text")}


def gne_fields(html: str, url: str) -> dict:
    from gne import GeneralNewsExtractor

    try:
        doc = GeneralNewsExtractor().extract(html)
    except Exception:
        doc = {}
    return {"title": doc.get("title"), "date": doc.get("publish_time"), "body": doc.get("content")}


def readability_fields(html: str, url: str) -> dict:
    from readability import Document

    try:
        doc = Document(html)
        title, summary = doc.short_title(), doc.summary()
    except Exception:
        return {"title": None, "body": ""}
    from lxml import html as lxml_html

    pieces = lxml_html.fromstring(summary).itertext() if summary.strip() else ()
    text = "\n".join(t.strip() for t in pieces if t.strip())
    return {"title": title, "body": text}  # readability finds no date


def htmldate_fields(html: str, url: str) -> dict:
    """htmldate (trafilatura's date finder), the candidate library for dates: only a date."""
    from htmldate import find_date

    try:
        return {"date": find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d %H:%M:%S")}
    except Exception:
        return {"date": None}


def score_article(expected: dict, got: dict) -> dict[str, bool]:
    """{field: passed} for the fields this case has facts for."""
    body = flat(got.get("body"))
    out = {}
    if "title" in expected:
        out["title"] = flat(got.get("title")) == flat(expected["title"])
    if "date" in expected and "date" in got:
        out["date"] = day(got.get("date")) == day(expected["date"])
    if expected.get("head"):
        out["head"] = body.startswith(flat(expected["head"]))
    if expected.get("tail"):
        out["tail"] = flat(expected["tail"]) in body[-200:]
    for text in expected.get("contains", []):
        out["head"] = out.get("head", True) and flat(text) in body
    if expected.get("excludes"):
        # page furniture that must not be archived as text (a share bar, comments, a related list)
        out["excludes"] = not any(flat(text) in body for text in expected["excludes"])
    if expected.get("empty"):
        out["empty"] = body == ""
    for key in ("page_kind", "antibot", "garbled"):
        if key in expected and key in got:
            out[key] = got[key] == expected[key]
    if "doubtful" in expected and "confidence" in got:
        out["doubtful"] = (got["confidence"] is not None and got["confidence"] < DOUBTFUL) == expected["doubtful"]
    if "attachments" in expected and "attachments" in got:
        want = expected["attachments"]  # names, or (real pages) how many
        out["attachments"] = got["attachments"] == want if isinstance(want, list) else len(got["attachments"]) == want
    if "views" in expected and "views" in got:
        out["views"] = got["views"] == expected["views"]
    if "images" in got and ("images" in expected or "image_urls" in expected):
        want = expected.get("image_urls")
        out["images"] = got["images"] == want if want else len(got["images"]) == expected["images"]
    return out


def score_list(expected: dict, html: str) -> dict[str, bool]:
    page = extract_list(html, expected["url"], expected.get("cms", "auto"))
    want = next((v for v in (expected.get("links"), expected.get("articles")) if isinstance(v, list)), None)
    out = {}
    if want is not None:
        out["links"] = page.links == want
    if "next" in expected:
        out["next"] = page.next_url == expected["next"]
    return out


def realpage_cases(site: Path) -> list[tuple[str, str, dict]]:
    """The shared real pages in the same shape as our cases (only when present: tests never read them)."""

    meta = json.loads((site / "expected.json").read_text(encoding="utf-8"))
    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    out = []
    for kind, table in (("article", meta.get("articles", {})), ("list", meta.get("list_pages", {}))):
        for url, expected in table.items():
            if kind == "list" and "articles" not in expected and "next" not in expected:
                continue
            raw = (site / index[url]["file"]).read_bytes()
            html = decode_page(raw, index[url].get("headers", {}).get("Content-Type"))
            exp = dict(expected, url=url, kind=kind)
            exp.pop("cms", None)
            out.append((Path(index[url]["file"]).stem, html, exp))
    return out


def capture_cases(root: Path) -> list[tuple[str, str, dict]]:
    """The shared captures with facts (../shared/captures/*/facts.json), in the same shape as our cases.

    An error page (page_type) must give no article; facts of pages without a URL get a stand-in one
    on the page's own kind of host (WeChat posts must be read as WeChat posts).
    """
    out = []
    for facts_file in sorted(root.glob("*/facts.json")):
        facts = json.loads(facts_file.read_text(encoding="utf-8"))
        for fact in facts.get("articles", []):
            path = facts_file.parent / fact["file"]
            html = decode_page(path.read_bytes())
            url = fact.get("url") or fact.get("url_guess") or ""
            if not url:
                stem = Path(fact["file"]).stem
                url = (f"https://mp.weixin.qq.com/s/{stem}" if fact["file"].startswith("wechat/")
                       else f"http://capture.example.edu.cn/{stem}.htm")
            exp = {"url": url, "kind": "article"}
            if fact.get("page_type"):
                exp["empty"] = True
            else:
                for key in ("title", "head", "tail"):
                    if fact.get(key):
                        exp[key] = fact[key]
                if fact.get("date"):
                    exp["date"] = fact["date"]
                if "attachments" in fact:
                    exp["attachments"] = fact["attachments"]
                if "images" in fact:
                    exp["images"] = fact["images"]
            out.append((f"{facts_file.parent.name}/{Path(fact['file']).stem}", html, exp))
        for fact in facts.get("lists", []):
            if not fact.get("url"):
                continue
            html = decode_page((facts_file.parent / fact["file"]).read_bytes())
            exp = {"url": fact["url"], "kind": "list", "next": fact.get("next")}
            if isinstance(fact.get("articles"), list):
                exp["articles"] = fact["articles"]
            out.append((f"{facts_file.parent.name}/{Path(fact['file']).stem}", html, exp))
    return out


def evaluate(cases, comparators: bool = True) -> dict:
    """{extractor: {field: [passed, total]}} and the failing (case, field) pairs of ours."""
    names = ["newscrawl"] + (["trafilatura", "readability", "gne", "htmldate"] if comparators else [])
    totals = {n: {} for n in names}
    failures = []

    def add(name, scores):
        for field, passed in scores.items():
            cell = totals[name].setdefault(field, [0, 0])
            cell[0] += bool(passed)
            cell[1] += 1

    for case_name, html, expected in cases:
        if expected.get("kind") == "list":
            scores = score_list(expected, html)
            add("newscrawl", scores)
        else:
            scores = score_article(expected, ours(html, expected))
            add("newscrawl", scores)
            if comparators:
                add("trafilatura", score_article(expected, trafilatura_fields(html, expected["url"])))
                add("readability", score_article(expected, readability_fields(html, expected["url"])))
                add("gne", score_article(expected, gne_fields(html, expected["url"])))
                if "date" in expected:
                    got = htmldate_fields(html, expected["url"])["date"]
                    add("htmldate", {"date": day(got) == day(expected["date"])})
        failures += [(case_name, f) for f, ok in scores.items() if not ok]
    return {"totals": totals, "failures": failures}


def accuracy(cell) -> str:
    return f"{cell[0]}/{cell[1]} {100 * cell[0] / cell[1]:5.1f}%" if cell and cell[1] else "-"


def print_table(title: str, report: dict) -> None:
    totals = report["totals"]
    names = list(totals)
    fields = [f for f in ARTICLE_FIELDS + LIST_FIELDS if any(f in totals[n] for n in names)]
    print(f"\n{title}")
    print(f"{'field':12}" + "".join(f"{n:>18}" for n in names))
    for field in fields:
        print(f"{field:12}" + "".join(f"{accuracy(totals[n].get(field)):>18}" for n in names))
    common = [f for f in ("title", "date", "head", "tail", "empty")]
    overall = {n: [sum(totals[n].get(f, [0, 0])[i] for f in common) for i in (0, 1)] for n in names}
    print(f"{'shared 4+1':12}" + "".join(f"{accuracy(overall[n]):>18}" for n in names))
    if report["failures"]:
        print("ours failed: " + ", ".join(f"{c}:{f}" for c, f in report["failures"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realpages", default=str(HERE.parents[2] / "shared" / "realpages"))
    parser.add_argument("--captures", default=str(HERE.parents[2] / "shared" / "captures"))
    parser.add_argument("--only", default="", help="score only the project cases whose name starts with this")
    args = parser.parse_args()
    try:
        import gne  # noqa: F401
        import trafilatura  # noqa: F401
        comparators = True
    except ImportError:
        print("trafilatura/gne not installed (pip install -e '.[eval]'): ours only")
        comparators = False
    cases = [c for c in load_cases() if c[0].startswith(args.only)]
    print_table(f"project cases ({CASES.relative_to(HERE.parents[1])}){' ' + args.only + '*' if args.only else ''}",
                evaluate(cases, comparators))
    if args.only:
        return 0
    site = Path(args.realpages)
    if (site / "expected.json").exists():
        print_table(f"real pages ({site})", evaluate(realpage_cases(site), comparators))
    captures = Path(args.captures)
    if any(captures.glob("*/facts.json")):
        print_table(f"real captures with facts ({captures})", evaluate(capture_cases(captures), comparators))
    return 0


if __name__ == "__main__":
    sys.exit(main())
