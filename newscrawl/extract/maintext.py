"""Finds the main text of a page of no known template: prose and link density, class names, position.

Every block's own text (its inline text, links left out) is a paragraph; its weight is its length
plus a bonus per sentence mark (prose has them, page furniture rarely does). A paragraph credits
the box around it (inline wrappers like <span> or <font> between them do not count; a div of <br>
lines also credits itself); a candidate's score is that
credit times (1 - its link density), weighed by what its class or id says (`article_content` up,
`footer`, `share`, `related` down) and by whether it sits inside page furniture. The best candidate
is widened to sibling blocks of the same text and narrowed from a wrapper to the block it wraps.
Inside the chosen body, boxes of links and furniture (share bars, related lists, pagers) are
left out. A second, independent reading — the page's prose paragraphs wherever they are (as
jusText classifies them) — is compared with the choice: how much of the page's prose the body
holds is evidence for the confidence (see confidence.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from newscrawl.extract.blocks import BLOCK_TAGS, SKIP_TAGS, is_hidden
from newscrawl.extract.common import squeeze

SENTENCE_MARK_RE = re.compile(r"[，。；！？、,;!?]")
SENTENCE_BONUS = 10
# Tags whose own text is one paragraph of their parent's body (never a body themselves).
PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dd dt blockquote pre figcaption address th summary".split())
# Inline elements that wrap paragraphs in careless markup: the box around them holds the paragraphs.
INLINE_TAGS = frozenset("span font b strong em i u small big label sup sub s strike ins del mark cite q abbr".split())
# A page's headline tags: next to the body, never a paragraph of it.
HEADLINE_TAGS = frozenset({"h1", "h2"})
SUBHEADING_TAGS = frozenset({"h3", "h4", "h5", "h6"})
# Tags that are page furniture by definition (HTML5), like a class that says so.
FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
NEVER_CANDIDATES = frozenset({"html", "head", "a", "table", "tbody", "thead", "tfoot", "tr", "ul", "ol", "dl",
                              "form", "select", "option"})
# What class and id names say, word by word ('article-copyright' is article + copyright; 'newsContent'
# is news + content). A name that STARTS with a furniture word is furniture ('side-box', 'footer_nav',
# 'logo1'; not 'article-header', which holds the headline); some words are furniture anywhere.
FURNITURE_FIRST_WORDS = frozenset("""
foot footer copyright bottom nav navi navbar menu header side sidebar breadcrumb breadcrumbs crumb
crumbs share bdshare related relate relates comment comments reply friend friendlink banner logo ad ads advert
advertisement recommend recom hot hotnews rank ranking toolbar tool tools qrcode ewm login pay popup modal search
subnav pager pagination pages widget tags keywords print guide location position weizhi dqwz sitemap shouji
statement disclaimer
""".split())
FURNITURE_WORDS = frozenset("""
copyright footer sidebar breadcrumb breadcrumbs crumbs share bdshare related relate comment comments recommend
advert advertisement toolbar qrcode login pagination pager statement disclaimer hotnews ranking
player mplayer
""".split())
# Furniture words run together with another ('sharedaddy', 'jp-relatedposts', 'commentlist').
FURNITURE_STEMS = ("share", "sharing", "related", "comment", "recommend")
# Names that are switches, not boxes ('enableGAMAds', 'disableAsideSection', 'has-share'): they say nothing.
FLAG_WORDS = frozenset("enable disable has is no with show hide js".split())
MAX_NAME_WORDS = 3  # 'headerOnTopForVideoContent' (one camelCase word of many) is a switch too
BODY_WORDS = ("article", "content", "detail", "text", "main", "post", "entry", "story", "body", "zhengwen",
              "neirong", "editor", "arti", "zw", "nr", "con", "txt", "cont", "wz", "read", "show")
NAME_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
POSITIVE_WEIGHT, NEGATIVE_WEIGHT, INSIDE_FURNITURE_WEIGHT, TEASER_WEIGHT = 1.3, 0.3, 0.1, 0.2
# A list of teasers (other stories: a headline link and a summary each) is not the article: an item
# among at least this many of its kind, each with a headline link, up to this many levels above.
TEASER_ITEMS, TEASER_LEVELS, TEASER_LINK_CHARS = 3, 4, 6
DIGITS_RE = re.compile(r"\d+")
# A box of furniture that holds this share of the page's text is the page itself (an unclosed
# <div class="breadcrumb"> the rest of the page ends up inside).
DOMINANT_SHARE = 0.5
WRAPPER_SHARE = 0.7     # a candidate owing this much of its score to one child is that child's wrapper
SIBLING_SHARE = 0.2     # a sibling block with this share of the best score is more of the same body
JUNK_MIN_LINKS = 3      # a box of at least this many links, nearly all link text, inside the body: furniture
JUNK_LINK_DENSITY = 0.6
# A paragraph that reads as prose to the second method: this long (non-link characters), with a mark.
PROSE_MIN_CHARS = 15
# When the body holds less than this share of the page's prose, a box up to WIDEN_LEVELS above it
# that holds WIDEN_TO of it, with few links, is the body (sections of one profile or report).
WIDEN_WHEN_BELOW, WIDEN_TO, WIDEN_LEVELS, MAX_WIDE_LINK_DENSITY = 0.5, 0.8, 3, 0.3


@dataclass
class MainText:
    """The chosen body (one element, or several siblings in order) and the evidence for it."""
    roots: list = field(default_factory=list)
    skip: set = field(default_factory=set)   # elements inside the roots that are furniture, not text
    score: float = 0.0
    runner_up: float = 0.0                   # best candidate outside the body, relative to the best
    link_density: float = 0.0
    sentence_chars: int = 0                  # characters of the body's paragraphs that hold a sentence mark
    coverage: float = 1.0                    # share of the page's prose paragraphs inside the body
    page_chars: int = 0                      # visible characters of the whole page
    in_furniture: bool = False               # the body sits in a box its class calls furniture
    stats: "PageStats | None" = None
    furniture_cache: dict = field(default_factory=dict)

    def is_furniture(self, el) -> bool:
        """el is, or sits in, page furniture (nav, footer, a box named so) that is not the page itself."""
        return _furniture_or_inside(el, self.stats, self.page_chars, self.furniture_cache)

    def body_start(self) -> int:
        """The body's place in page order."""
        return min(self.stats.position.get(r, 0) for r in self.roots)

    def blocks_above(self, count: int) -> list:
        """The count blocks nearest above the body, nearest first: where its headline and date line sit."""
        end = self._body_index()
        return self.stats.blocks[max(0, end - count):end][::-1]

    def blocks_from_body(self) -> list:
        """The blocks from the body's start on, in page order."""
        return self.stats.blocks[self._body_index():]

    def _body_index(self) -> int:
        return bisect_left(self.stats.blocks, self.body_start(), key=self.stats.position.__getitem__)


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _visible(el) -> bool:
    tag = _tag(el)
    return bool(tag) and tag not in SKIP_TAGS and not is_hidden(el)


def _names(el) -> list[str]:
    return f"{el.get('class') or ''} {el.get('id') or ''}".split()


def name_weight(el) -> float:
    """What the element's class and id say: furniture (down), the article's body (up), nothing (1)."""
    names = _names(el)
    if not names:
        return 1.0
    body = False
    for name in names:
        words = [w.lower() for w in NAME_WORD_RE.findall(name)]
        if not words or words[0] in FLAG_WORDS or (len(words) > MAX_NAME_WORDS and name.isalnum()):
            continue
        if words[0] in FURNITURE_FIRST_WORDS \
                or any(w in FURNITURE_WORDS or w.startswith(FURNITURE_STEMS) for w in words):
            return NEGATIVE_WEIGHT
        body = body or any(w.startswith(BODY_WORDS) for w in words)
    return POSITIVE_WEIGHT if body else 1.0


class PageStats:
    """Per-element text figures, computed in one pass: visible characters, link characters, marks, and
    each block's own paragraph (inline text that is not a link)."""

    def __init__(self, root):
        self.root = root
        self.chars: dict = {}       # element -> visible non-space characters under it
        self.links: dict = {}       # element -> of which inside <a>
        self.marks: dict = {}       # element -> sentence marks outside links under it
        self.own: dict = {}         # block -> (non-link characters, marks) of its own paragraph
        self.hidden: set = set()
        self.position: dict = {}    # visible element -> its place in page order
        order = []
        stack = [root]
        while stack:  # iterative: hostile pages nest deeper than the recursion limit
            el = stack.pop()
            if not _visible(el):
                self.hidden.add(el)
                continue
            self.position[el] = len(order)
            order.append(el)
            stack.extend(reversed(el))
        for el in reversed(order):  # children before parents
            tag = _tag(el)
            text = squeeze(el.text)
            chars = len(text)
            marks = len(SENTENCE_MARK_RE.findall(text))
            links = chars if tag == "a" else 0
            for child in el:
                tail = squeeze(child.tail)
                if child not in self.hidden and _tag(child):
                    chars += self.chars[child]
                    links += self.chars[child] if tag == "a" else self.links[child]
                    marks += self.marks[child] if tag != "a" else 0
                chars += len(tail)
                links += len(tail) if tag == "a" else 0
                marks += len(SENTENCE_MARK_RE.findall(tail)) if tag != "a" else 0
            if tag == "a":
                marks = 0
            self.chars[el], self.links[el], self.marks[el] = chars, links, marks
            if tag in BLOCK_TAGS or tag == "body":
                self.own[el] = _own_paragraph(el, self.hidden)
        self.blocks = list(reversed(self.own))  # the blocks (keys of own) in page order

    def density(self, el) -> float:
        chars = self.chars.get(el, 0)
        return self.links.get(el, 0) / chars if chars else 0.0


def _own_paragraph(el, hidden) -> tuple[int, int]:
    """(non-link characters, sentence marks) of the text el shows itself, not in its child blocks."""
    pieces = [el.text or ""]
    stack = list(el)
    while stack:
        child = stack.pop()
        pieces.append(child.tail or "")
        tag = _tag(child)
        if not tag or child in hidden or tag in BLOCK_TAGS or tag == "a":
            continue
        pieces.append(child.text or "")
        stack.extend(child)
    text = squeeze("".join(pieces))
    return len(text), len(SENTENCE_MARK_RE.findall(text))


def _weight(own: tuple[int, int]) -> float:
    chars, marks = own
    return chars + SENTENCE_BONUS * marks


def find_main_text(root) -> MainText | None:
    """The body of the page rooted at root (an lxml element), or None when no block holds text."""
    stats = PageStats(root)
    body = next((el for el in root.iter("body")), root)
    page_chars = stats.chars.get(body, 0)
    credit: dict = {}
    for el, own in stats.own.items():
        weight = _weight(own)
        if not weight:
            continue
        if _tag(el) not in PARAGRAPH_TAGS:
            credit[el] = credit.get(el, 0.0) + weight       # lines of text right in a div or td
        parent = el.getparent()
        while parent is not None and _tag(parent) in INLINE_TAGS:
            parent = parent.getparent()  # <span><p>…</p></span>: the paragraph belongs to the span's box
        if parent is not None:
            credit[parent] = credit.get(parent, 0.0) + weight
    scores: dict = {}
    furniture_cache: dict = {}
    teaser_cache: dict = {}
    for el, raw in credit.items():
        tag = _tag(el)
        if tag in NEVER_CANDIDATES or tag in PARAGRAPH_TAGS or el in stats.hidden or tag in FURNITURE_TAGS:
            continue
        score = raw * (1 - stats.density(el)) * name_weight(el)
        if _inside_furniture(el, stats, page_chars, furniture_cache):
            score *= INSIDE_FURNITURE_WEIGHT
        elif _in_teaser_list(el, teaser_cache):
            score *= TEASER_WEIGHT
        if score > 0:
            scores[el] = score
    if not scores:
        return None
    best = max(scores, key=scores.get)
    best = _unwrap(best, scores, stats)
    roots = _with_siblings(best, scores, stats)
    wider = _widen(roots, stats, page_chars, furniture_cache, teaser_cache)
    if wider is not None:
        roots = [wider]
    found = MainText(roots=roots, score=scores[best], page_chars=page_chars,
                     stats=stats, furniture_cache=furniture_cache)
    found.skip = _furniture_inside(roots, stats)
    _measure(found, stats, scores, furniture_cache, page_chars)
    return found


def _inside_furniture(el, stats: PageStats, page_chars: int, cache: dict) -> bool:
    """el sits in a box that is page furniture (by tag or by name), unless that box holds most of
    the page (then it is the page, whatever its name)."""
    return _furniture_or_inside(el.getparent(), stats, page_chars, cache)


def _furniture_or_inside(node, stats: PageStats, page_chars: int, cache: dict) -> bool:
    """node is a furniture box or inside one (memoized: every candidate asks about its ancestors)."""
    path = []
    verdict = False
    while node is not None and _tag(node) not in ("body", "html"):
        if node in cache:
            verdict = cache[node]
            break
        path.append(node)
        if (_tag(node) in FURNITURE_TAGS or name_weight(node) == NEGATIVE_WEIGHT) \
                and stats.chars.get(node, 0) < DOMINANT_SHARE * page_chars:
            verdict = True
            break
        node = node.getparent()
    for visited in path:
        cache[visited] = verdict
    return verdict


def _in_teaser_list(el, cache: dict) -> bool:
    """el is (or sits in) one item of a list of teasers: repeated boxes of one kind, each holding a
    headline link (an article split in sections has no headline link in each)."""
    node = el
    for _ in range(TEASER_LEVELS):
        parent = node.getparent()
        if parent is None or _tag(parent) in ("body", "html"):
            return False
        if _is_teaser_item(node, parent, cache):
            return True
        node = parent
    return False


def _is_teaser_item(node, parent, cache: dict) -> bool:
    """node is one of at least TEASER_ITEMS siblings of its kind that hold a headline link (cached per
    node, and each parent's children grouped by kind once: every block of a page asks this)."""
    verdict = cache.get(node)
    if verdict is None:
        groups = cache.get(("kinds", parent))
        if groups is None:
            groups = cache[("kinds", parent)] = {}
            for child in parent:
                groups.setdefault((_tag(child), _kind_of_name(child)), []).append(child)
        items = groups.get((_tag(node), _kind_of_name(node)), [])
        verdict = cache[node] = (len(items) >= TEASER_ITEMS
                                 and sum(1 for c in items[:12] if _has_headline_link(c, cache)) >= TEASER_ITEMS
                                 and _has_headline_link(node, cache))
    return verdict


def _has_headline_link(el, cache: dict | None = None) -> bool:
    if cache is not None and ("link", el) in cache:
        return cache[("link", el)]
    found = any(len(squeeze("".join(a.itertext()))) >= TEASER_LINK_CHARS for a in el.iter("a"))
    if cache is not None:
        cache[("link", el)] = found
    return found


def _unwrap(best, scores: dict, stats: PageStats):
    """From a wrapper (headline + meta line + body) down into the body it holds."""
    while True:
        children = [c for c in best if c in scores]
        top = max(children, key=scores.get, default=None)
        if top is None or scores[top] < WRAPPER_SHARE * scores[best]:
            return best
        if any(stats.own.get(c, (0, 0))[1] or (c in scores and c is not top and scores[c] > SIBLING_SHARE * scores[top])
               for c in best if c is not top and _tag(c)):
            return best  # the other children hold prose too: paragraphs of the same body
        best = top


def _with_siblings(best, scores: dict, stats: PageStats) -> list:
    """best, and the sibling blocks around it that continue its text (an article split in several boxes)."""
    parent = best.getparent()
    if parent is None or _tag(best) == "body":
        return [best]
    threshold = SIBLING_SHARE * scores[best]
    roots = []
    before = True
    for sibling in parent:
        if sibling is best:
            roots.append(best)
            before = False
            continue
        if not _tag(sibling) or sibling in stats.hidden:
            continue
        own_chars, own_marks = stats.own.get(sibling, (0, 0))
        # a heading above the body is its headline or subtitle ('——记……'), not a paragraph of it
        heading = _tag(sibling) in HEADLINE_TAGS or (before and _tag(sibling) in SUBHEADING_TAGS)
        prose_sibling = (_tag(sibling) in PARAGRAPH_TAGS and not heading and own_marks
                         and own_chars >= PROSE_MIN_CHARS and stats.density(sibling) < 0.25)
        # a box like best (same tag, same kind of name: 'p1'/'p2', or none) holding text like it
        twin = (_tag(sibling) == _tag(best) and _kind_of_name(sibling) == _kind_of_name(best)
                and scores.get(sibling, 0) >= threshold and stats.marks.get(sibling, 0))
        if twin or prose_sibling:
            roots.append(sibling)
    # keep the run of blocks around best only: a distant box with prose is another story
    index = roots.index(best)
    siblings = list(parent)
    start = end = index
    while start > 0 and _adjacent(siblings, roots[start - 1], roots[start], stats):
        start -= 1
    while end < len(roots) - 1 and _adjacent(siblings, roots[end], roots[end + 1], stats):
        end += 1
    # and what sits between them (a picture with its caption, a subheading) is the body's too
    first, last = siblings.index(roots[start]), siblings.index(roots[end])
    return [el for el in siblings[first:last + 1] if _tag(el) and el not in stats.hidden
            and (el in roots or (_tag(el) not in FURNITURE_TAGS and name_weight(el) != NEGATIVE_WEIGHT))]


def _kind_of_name(el) -> str:
    """An element's class with digits dropped: 'para1' and 'para2' are the same kind of box."""
    return DIGITS_RE.sub("", el.get("class") or "")


def _adjacent(siblings: list, a, b, stats: PageStats) -> bool:
    """Nothing but short, link-free bits (a subheading, a picture) between sibling blocks a and b."""
    between = siblings[siblings.index(a) + 1: siblings.index(b)]
    return all(stats.chars.get(el, 0) <= 40 and stats.density(el) < 0.5 for el in between if _tag(el))


def _prose_paragraphs(stats: PageStats, page_chars: int, furniture_cache: dict, teaser_cache: dict) -> list:
    """(block, characters) of the page's prose paragraphs, as the second reading sees them: long
    enough, with a sentence mark, few links, not in furniture or a teaser list."""
    out = []
    for el, own in stats.own.items():
        if _is_prose(el, own, stats, page_chars, furniture_cache) and not _in_teaser_list(el, teaser_cache):
            out.append((el, own[0]))
    return out


def _is_prose(el, own: tuple[int, int], stats: PageStats, page_chars: int, furniture_cache: dict) -> bool:
    """el's own paragraph is prose: long enough, with a sentence mark, few links, not in furniture."""
    own_chars, own_marks = own
    return bool(own_chars >= PROSE_MIN_CHARS and own_marks and stats.density(el) < 0.3
                and not _inside_furniture(el, stats, page_chars, furniture_cache))


def _widen(roots: list, stats: PageStats, page_chars: int, furniture_cache: dict, teaser_cache: dict):
    """The box a few levels up that holds (nearly) all the page's prose when the chosen body holds
    little of it: a profile's or report's sections (简介, 研究方向, 论文…) are one body."""
    prose = _prose_paragraphs(stats, page_chars, furniture_cache, teaser_cache)
    total = sum(chars for _, chars in prose)
    if not total:
        return None
    inside = {el for r in roots for el in r.iter()}
    held = sum(chars for el, chars in prose if el in inside)
    if held >= WIDEN_WHEN_BELOW * total:
        return None
    node = roots[0].getparent()
    for _ in range(WIDEN_LEVELS):
        if node is None or _tag(node) in ("body", "html"):
            return None
        if name_weight(node) == NEGATIVE_WEIGHT or _inside_furniture(node, stats, page_chars, furniture_cache):
            return None
        if stats.density(node) >= MAX_WIDE_LINK_DENSITY:
            return None
        within = {el for el in node.iter()}
        wide = sum(chars for el, chars in prose if el in within)
        if wide >= WIDEN_TO * total:
            return node
        node = node.getparent()
    return None


def _furniture_inside(roots: list, stats: PageStats) -> set:
    """Boxes inside the body that are not its text: named furniture, and boxes of links."""
    skip = set()
    for root in roots:
        stack = list(root)
        while stack:
            el = stack.pop()
            tag = _tag(el)
            if not tag or el in stats.hidden:
                continue
            chars = stats.chars.get(el, 0)
            if tag in FURNITURE_TAGS or (name_weight(el) == NEGATIVE_WEIGHT and chars < 0.5 * stats.chars.get(root, 1)):
                skip.add(el)
                continue
            if tag != "a" and chars and stats.density(el) >= JUNK_LINK_DENSITY \
                    and sum(1 for _ in el.iter("a")) >= JUNK_MIN_LINKS and chars < 0.5 * stats.chars.get(root, 1):
                skip.add(el)
                continue
            stack.extend(el)
    return skip


def _measure(found: MainText, stats: PageStats, scores: dict, furniture_cache: dict, page_chars: int) -> None:
    """The evidence: density, prose, the runner-up outside the body, and the second method's agreement."""
    inside: set = set()
    for root in found.roots:
        for el in root.iter():
            inside.add(el)
    skipped: set = set()
    for el in found.skip:
        skipped.update(el.iter())
    chars = sum(stats.chars.get(r, 0) for r in found.roots)
    links = sum(stats.links.get(r, 0) for r in found.roots)
    found.link_density = links / chars if chars else 0.0
    found.in_furniture = any(_inside_furniture(r, stats, page_chars, furniture_cache) for r in found.roots)
    prose_total = prose_inside = 0
    for el, own in stats.own.items():
        if el in skipped:
            continue
        own_chars, own_marks = own
        if el in inside:
            found.sentence_chars += own_chars if own_marks else 0
        if _is_prose(el, own, stats, page_chars, furniture_cache):
            prose_total += own_chars
            prose_inside += own_chars if el in inside else 0
    found.coverage = prose_inside / prose_total if prose_total else 1.0
    around = {a for r in found.roots for a in r.iterancestors()}
    outside = [s for el, s in scores.items() if el not in inside and el not in around]
    found.runner_up = max(outside, default=0.0) / found.score if found.score else 0.0


ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})
HEADLINE_LINK_CHARS = 6  # a link with this much text reads like a headline, not a menu word


def link_column(root, found: MainText | None) -> tuple[int, int]:
    """(rows, characters) of the page's biggest column of headline links outside navigation: what a
    channel or list page is made of."""
    groups: dict = {}
    for a in root.iter("a"):
        if not a.get("href"):
            continue
        text = squeeze("".join(a.itertext()))
        if len(text) < HEADLINE_LINK_CHARS:
            continue
        if found is not None and (a not in found.stats.position or _in_navigation(a) or found.is_furniture(a)):
            continue  # hidden (or in a hidden box), or a sidebar's latest-news box: not a channel's column
        row = _row_of(a)
        container = row.getparent() if row is not None and row.getparent() is not None else a.getparent()
        rows, chars = groups.get(container, (0, 0))
        groups[container] = (rows + 1, chars + len(text))
    return max(groups.values(), default=(0, 0))


def _in_navigation(el) -> bool:
    node = el.getparent()
    while node is not None and _tag(node) not in ("body", "html"):
        if _tag(node) in ("nav", "header", "footer"):
            return True
        node = node.getparent()
    return False


def _row_of(a):
    node = a.getparent()
    for _ in range(4):
        if node is None:
            return None
        if _tag(node) in ROW_TAGS:
            return node
        node = node.getparent()
    return a.getparent()
