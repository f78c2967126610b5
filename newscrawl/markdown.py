"""Page text as Markdown that renders as the literal text, in Hugo too (no live HTML, links or shortcodes)."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from w3lib.url import safe_url_string

# Inline markup: HTML and comments (<), entities (&name;), links and images ([ ]), emphasis and code
# (* ` and _ at a word edge), strikethrough (~, which Goldmark's GFM extension takes single too: a
# date range 3月1日~3月5日 would lose its tildes), backslash escapes and the hard break of a backslash
# at a line end, and Hugo shortcodes ({{% … %}}; {{< … >}} is already broken by escaping its <).
_INLINE_RE = re.compile(r"\\(?=[!-/:-@\[-`{-~\n])|<|&(?=#?\w+;)|[\[\]*`~]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|\{\{%")
_INLINE_SUBS = {"<": "&lt;", "&": "&amp;", "{{%": "{{\\%"}
# Constructs that only count at the start of a line (after at most three spaces): headings, quotes,
# lists, rules, setext lines, and what the extensions Hugo enables by default add: a definition
# (": " after a line of text) and a table's delimiter row (|---|:--:|, which makes the line above it
# a table header).
_LINE_START_RE = re.compile(
    r"^(?P<indent> {0,3})(?P<marker>#|>|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|:(?=\s|$)|=+\s*$|-+\s*$|_{3,}\s*$"
    r"|(?=[|:\s-]*-)(?=[-\s]*[|:])[|:-][|:\s-]*$)")


def _inline_sub(match: re.Match) -> str:
    token = match.group()
    return _INLINE_SUBS.get(token, "\\" + token)


def escape_inline(text: str) -> str:
    """Escape what Markdown, HTML or Hugo would read as markup; ordinary text is left byte-identical."""
    return _INLINE_RE.sub(_inline_sub, text)


def escape_line_start(text: str) -> str:
    """Escape a block marker (heading, quote, list, rule, definition, table row) at the start of each line."""
    return "\n".join(_escape_first(line) for line in text.split("\n"))


def _escape_first(line: str) -> str:
    match = _LINE_START_RE.match(line)
    if not match:
        return line
    indent, token = match["indent"], match["marker"]
    if token[0].isdigit():
        return indent + token + "\\" + line[match.end("marker"):]  # 1986. -> 1986\.
    return indent + "\\" + line[len(indent):]


def markdown_url(url: str) -> str | None:
    """An http(s) URL safe inside (…) of a Markdown link; None for any other scheme (javascript:, data:)."""
    url = (url or "").strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return safe_url_string(url).replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def file_label(url: str) -> str:
    return escape_inline(unquote(os.path.basename(urlsplit(url).path)) or url)
