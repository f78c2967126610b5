"""Turns an HTML element into text paragraphs and the images it holds, in page order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

# Elements that end one paragraph and start another.
BLOCK_TAGS = frozenset("""
address article aside blockquote br center dd details dialog div dl dt fieldset figcaption figure
footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot
th thead tr ul
""".split())
# Elements whose content is never article text.
SKIP_TAGS = frozenset("script style noscript template iframe object embed select button input textarea svg head title".split())
# Where the real address of a lazily loaded image hides.
IMAGE_SRC_ATTRS = ("data-src", "original-src", "data-original", "orisrc", "src")
ASCII_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none", re.I)
# Class names that mean "not shown" in every CSS framework and in hand-made tab boxes (the inactive
# panels of a profile's 论文发表/教授课程 tabs are `class="lh250 none"`): hidden, like display:none.
HIDDEN_CLASSES = frozenset({"hide", "hidden", "none", "d-none", "is-hidden"})
SHOWN_AGAIN_RE = re.compile(r"^(?:d-(?:sm|md|lg|xl|xxl)-(?!none)\w|[a-z0-9]+:(?!hidden)\w|visible-)")
# Editor icons and spacer gifs that are not pictures of the article.
NOT_A_PICTURE_RE = re.compile(r"/_ueditor/|/ueditor/.*/images/|icon_|/images/loading|spacer\.gif|blank\.gif|^data:", re.I)


@dataclass
class Blocks:
    paragraphs: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute href, link text)


def is_hidden(el) -> bool:
    """el is not shown: display:none, the `hidden` attribute, or a class that means hidden (unless
    another class shows it again on wider screens: 'd-none d-md-block', 'hidden md:block')."""
    if HIDDEN_STYLE_RE.search(el.get("style") or "") or el.get("hidden") is not None:
        return True
    classes = (el.get("class") or "").lower().split()
    if not classes or HIDDEN_CLASSES.isdisjoint(classes) or el.tag in ("html", "body"):
        return False  # <body class="hide"> is a page a script reveals on load, not a hidden page
    return not any(SHOWN_AGAIN_RE.match(c) for c in classes)


def image_url(img, base_url: str) -> str | None:
    """The absolute URL of an <img>, preferring the lazy-load attributes over a placeholder src."""
    for attr in IMAGE_SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            url = urljoin(base_url, value)
            if NOT_A_PICTURE_RE.search(url):
                return None
            return url
    return None


def _tag(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _text_content(el) -> str:
    """All text under el, iteratively (lxml's text_content() recurses on deep trees)."""
    return "".join(t for t in el.itertext() if isinstance(t, str))


def html_blocks(element, base_url: str, skip=frozenset()) -> Blocks:
    """Walk element: text grouped into paragraphs at block boundaries, images and links collected.

    Elements in skip (furniture inside a body) are left out like scripts are; their tail is text.
    """
    out = Blocks()
    current: list[str] = []

    def flush():
        text = ASCII_SPACE_RE.sub(" ", "".join(current))
        current.clear()
        if text.strip(" "):
            out.paragraphs.append(text)

    # an explicit stack, not recursion: a hostile page nests thousands of elements deep
    stack: list[tuple[bool, object]] = [(False, element)]
    while stack:
        leaving, el = stack.pop()
        if leaving:
            if _tag(el) in BLOCK_TAGS:
                flush()
            if el.tail:
                current.append(el.tail)
            continue
        tag = _tag(el)
        if not tag or tag in SKIP_TAGS or el in skip or is_hidden(el):
            # comments, processing instructions, scripts, hidden parts: not content (their tail is)
            if tag in BLOCK_TAGS:
                flush()
            if el.tail:
                current.append(el.tail)
            continue
        if tag in BLOCK_TAGS:
            flush()
        if tag == "img":
            url = image_url(el, base_url)
            if url:  # every picture where it stands: a divider shown three times is listed three times
                out.images.append(url)
            flush()
        elif tag == "a" and el.get("href"):
            href = el.get("href").strip()
            if not href.lower().startswith(("javascript:", "#", "mailto:")):
                out.links.append((urljoin(base_url, href), ASCII_SPACE_RE.sub(" ", _text_content(el)).strip()))
        if el.text:
            current.append(el.text)
        stack.append((True, el))
        stack.extend((False, child) for child in reversed(el))

    flush()
    return out


def parse_fragment(html: str):
    """Parse an HTML fragment (e.g. a JSON-embedded article body) into one wrapping element."""
    from lxml import html as lxml_html

    if not html or not html.strip():
        return lxml_html.fragment_fromstring("<div></div>")
    return lxml_html.fragment_fromstring(html, create_parent="div")

