"""Renders an article as the archive's Markdown (FORMAT.md): YAML front matter, body, source link."""

from __future__ import annotations

import hashlib
import re

import yaml

from newscrawl.dates import archive_date
from newscrawl.markdown import escape_inline, escape_line_start, file_label, markdown_url

SUMMARY_LENGTH = 200
SUMMARY_MARKS = "。！？；，"
MORE_MARKER = "<!--more-->"
SOURCE_LINK_TEXT = "转入文章首发地址"
SOURCE_LINK_RE = re.compile(r"\[" + re.escape(SOURCE_LINK_TEXT) + r"\]\((?P<url>[^)\s]+)\)\s*$")
WHITESPACE_RE = re.compile(r"\s+")
# a paragraph that is only a link: the source link, or an attachment listed after the text (its
# original URL, or its kept copy with the original URL as the link's title)
LINK_ONLY_RE = re.compile(r'^\[[^\n]*\]\((?:https?://[^)\s]*|/[^)\s]* "https?://[^)"\s]*")\)$')


def _yaml_line(key: str, value) -> str:
    """One 'key: value' line, quoted by PyYAML only where YAML needs it."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=float("inf"), sort_keys=False).rstrip("\n")


def _yaml_list(values) -> list[str]:
    return [yaml.safe_dump([v], allow_unicode=True, width=float("inf")).rstrip("\n") for v in values]


def archive_title(school: str, title: str, archive: str) -> str:
    return f"{school}->{title} | {archive}"


def front_matter(item) -> str:
    lines = [
        "---",
        _yaml_line("title", archive_title(item.school, item.title, item.archive)),
        "date: " + archive_date(item.published),  # a plain YAML timestamp, as in the seeds
        _yaml_line("urlname", item.urlname),
        _yaml_line("slug", item.urlname),
        "tags: ",  # the users' archive has this trailing space; kept so files diff cleanly
        *_yaml_list(item.tags),
        "categories:",
        *_yaml_list(item.categories),
        "authorbox: false",
        "sidebar: false",
        "---",
    ]
    return "\n".join(lines) + "\n"


def summary_cut(text: str) -> int | None:
    """Where <!--more--> goes: after the first 200 characters, cut at the last clause mark (None: no cut)."""
    if len(text) <= SUMMARY_LENGTH:
        return None
    head = text[:SUMMARY_LENGTH]
    cut = max(head.rfind(mark) for mark in SUMMARY_MARKS)
    return cut + 1 if cut >= 0 else SUMMARY_LENGTH


def with_more_marker(text: str, render=lambda part: part) -> str:
    """Insert <!--more--> after the summary; render (the escaping) applies to each side of the cut."""
    cut = summary_cut(text)
    if cut is None:
        return render(text)
    summary, rest = text[:cut].rstrip("\n"), text[cut:]
    if rest.startswith("\n"):
        # the cut fell on a paragraph end: the marker stands between the two paragraphs
        return f"{render(summary)}\n{MORE_MARKER}\n\n{render(rest.lstrip(chr(10)))}"
    return f"{render(summary)}\n{MORE_MARKER}\n{render(rest)}"


def link_target(url: str, local: dict | None = None) -> str | None:
    """What stands in (…) of a link to url: the kept copy with the original URL as the link's title
    (`/files/ab/ab….pdf "http://…"`), else the original URL; None for a URL that is not http(s)."""
    target = markdown_url(url)
    if target and local and url in local:
        return f'{local[url]} "{target}"'
    return target


def render_body(paragraphs: list[str], images: list[str], url: str, attachments=(), local: dict | None = None) -> str:
    """Body text (escaped, with the summary marker and attachment links), images, the source link.

    Attachments are linked where their name stands in the text, else listed after it. `local` maps
    the URL of a kept file to its address in the published site. No final newline.
    """
    parts = []
    unplaced = [a for a in attachments if a.get("url") and markdown_url(a["url"])]

    def render(text: str) -> str:
        return "\n\n".join(render_paragraph(p, unplaced, local) for p in text.split("\n\n"))

    text = "\n\n".join(paragraphs)
    if text:
        parts.append(with_more_marker(text, render))
    parts.extend(f"[{escape_inline(a.get('name') or file_label(a['url']))}]({link_target(a['url'], local)})"
                 for a in unplaced)
    parts.extend(f"![图]({link_target(image, local) or image})" for image in images)
    parts.append(f"[{SOURCE_LINK_TEXT}]({url})")
    return "\n\n".join(parts)


def render_paragraph(raw: str, unplaced: list[dict], local: dict | None = None) -> str:
    """One paragraph of page text as Markdown that renders literally; attachment names become links."""
    out = escape_inline(raw)
    for attachment in list(unplaced):
        name = (attachment.get("name") or "").strip()
        escaped = escape_inline(name)
        if name and name in raw and escaped in out:
            out = out.replace(escaped, f"[{escaped}]({link_target(attachment['url'], local)})", 1)
            unplaced.remove(attachment)
    return out if out.startswith("[") else escape_line_start(out)


def relink(markdown: str, url: str, local_url: str) -> str:
    """An archive file's links to url pointed at its kept copy, exactly as render_body would write them."""
    target = markdown_url(url)
    if not target:
        return markdown
    return markdown.replace(f"]({target})", f"]({link_target(url, {url: local_url})})")


def render_markdown(item) -> str:
    return front_matter(item) + item.body


LASTMOD_RE = re.compile(r"^lastmod: .*\n", re.M)


def without_lastmod(markdown: str) -> str:
    """The file's text without its front matter's `lastmod:` line (it says when, not what)."""
    end = markdown.find("\n---\n", 4) if markdown.startswith("---\n") else -1
    if end < 0:
        return markdown
    return LASTMOD_RE.sub("", markdown[:end + 1], count=1) + markdown[end + 1:]


def with_lastmod(markdown: str, lastmod: str) -> str:
    """Hugo's `lastmod:` after the front matter's `date:` line (NEWSCRAWL_LASTMOD, revised files only)."""
    head, sep, rest = markdown.partition("\ndate: ")
    if not sep:
        return markdown
    date_line, newline, tail = rest.partition("\n")
    return f"{head}{sep}{date_line}{newline}lastmod: {lastmod}\n{tail}"


def archived_date(markdown: str) -> str | None:
    """The `date:` of an archive file's front matter ('YYYY-MM-DD HH:MM:SS', China time), if it has one."""
    match = ARCHIVED_DATE_RE.search(markdown.split("\n---\n", 1)[0])
    return match["date"] if match else None


ARCHIVED_DATE_RE = re.compile(r"(?m)^date: (?P<date>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)$")


def parse_front_matter(markdown: str) -> dict:
    """The YAML front matter of an archive file, parsed back (used by tests and the state rebuild)."""
    match = re.match(r"^---\n(.*?)\n---\n", markdown, re.S)
    if not match:
        raise ValueError("no front matter")
    return yaml.safe_load(match.group(1))


FINGERPRINT_MIN_TEXT = 100
# a link's or picture's target without scheme and host: the same files of a site reached under two
# of its names (http/https, www./no www., a sibling host serving the same upload paths) are the same
LINK_TARGET_HOST_RE = re.compile(r"\]\(https?://[^/)\s]*")
# a link to a kept file (link_target): the same article whether its files were kept or not
KEPT_TARGET_RE = re.compile(r'\]\(/[^)\s"]* "(?P<url>https?://[^"\s]+)"\)')


def content_fingerprint(body: str, title: str = "") -> str:
    """What makes the article, as its archive body holds it: text, pictures and attachments, never its URL.

    Same content, same fingerprint, whatever the article's URL, the spacing or the host its files are
    linked from (a repost); a different picture or attachment is a different article (three posters
    under one title, two 详见附件 notices). Below FINGERPRINT_MIN_TEXT characters of text the title
    counts too, and a short text with no picture or attachment gets no fingerprint ('') at all: a
    title and a line are too little to tell a repost from a look-alike. A text-only article keeps the
    fingerprint of earlier versions (the MD5 of its text without whitespace). Computed from the body
    only, so a state rebuilt from the archive files records the very same fingerprints.
    """
    content = KEPT_TARGET_RE.sub(r"](\g<url>)", SOURCE_LINK_RE.sub("", body))
    text = WHITESPACE_RE.sub("", "".join(body_paragraphs(content)))
    content = LINK_TARGET_HOST_RE.sub("](", content.replace(MORE_MARKER, ""))
    if len(text) < FINGERPRINT_MIN_TEXT:
        if "](" not in content:
            return ""
        content = (title or "") + "\n" + content
    return hashlib.md5(WHITESPACE_RE.sub("", content).encode("utf-8")).hexdigest()


def archive_body(markdown: str) -> str:
    """The body of an archive file: everything after its front matter."""
    return markdown.split("\n---\n", 1)[1] if markdown.startswith("---\n") else markdown


def body_paragraphs(markdown: str) -> list[str]:
    """The text paragraphs of an archive file (no summary marker, images or source link)."""
    body = archive_body(markdown).replace("\n<!--more-->\n\n", "\n\n").replace("\n<!--more-->\n", "")
    return [p for p in body.split("\n\n") if p.strip() and not p.startswith("![图](") and not LINK_ONLY_RE.match(p)]
