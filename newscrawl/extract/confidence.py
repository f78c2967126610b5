"""How sure an extraction is: a confidence from evidence, the doubts behind it, and 'not an article'.

Evidence (each doubt lowers the confidence by its factor): where the body came from (a template's
selector, or the generic path's guess), its link density, how much prose it holds, whether another
block holds nearly as much, how much of the page's prose it holds (a second, independent reading:
the page's prose paragraphs wherever they are), whether it sits in a box named as furniture, and
whether the headline agrees with the page's <title> or og:title. A page whose body is a scrap and
whose text is a column of headline links is a channel or list page: not an article. (A short
notice has a sentence, however short: it stays an article, at worst a doubtful one.)
"""

from __future__ import annotations

from newscrawl.extract.common import squeeze, strip_site_suffix
from newscrawl.extract.maintext import MainText, link_column
from newscrawl.extract.result import Extracted

DOUBTFUL = 0.5            # below this an article is counted, logged and reported as doubtful
TEMPLATE_CONFIDENCE = 0.95  # a known template's own body container was found
GENERIC_CONFIDENCE = 0.9    # the generic path's choice, before doubts
# (doubt, factor): how much each kind of doubt lowers the confidence
LINK_DENSE, SCRAP, RIVAL, PARTIAL, FURNITURE, HEADLINE, EMPTY = 0.45, 0.5, 0.6, 0.6, 0.45, 0.75, 0.3
MAX_LINK_DENSITY = 0.35
MIN_PROSE = 40            # characters of prose below which a body is a scrap (unless pictures or files)
MAX_RIVAL = 0.6           # another block outside the body with this share of its score
MIN_COVERAGE = 0.5        # share of the page's prose paragraphs the body should hold
# a channel page: its body is a scrap, and one column holds this many headline links, this much text
COLUMN_ROWS, COLUMN_SHARE = 8, 3.0
SITE_NAME_CHARS = 12      # a <title> this short (site suffix removed) may be the site's name only


def assess(result: Extracted, root, page_title: str | None, meta: dict) -> None:
    """Set result.confidence, result.doubts and result.page_kind from the evidence."""
    main: MainText | None = result.evidence if isinstance(result.evidence, MainText) else None
    doubts: list[tuple[str, float]] = []
    has_media = bool(result.images or result.attachments)
    prose = sum(len(squeeze(p)) for p in result.paragraphs)
    if result.cms == "generic" or main is not None:
        confidence = GENERIC_CONFIDENCE
        if main is None and not result.paragraphs:
            doubts.append(("no block of text found", EMPTY))
        if main is not None:
            if main.link_density > MAX_LINK_DENSITY:
                doubts.append((f"the body is {main.link_density:.0%} link text", LINK_DENSE))
            if main.runner_up >= MAX_RIVAL:
                doubts.append((f"another block holds {main.runner_up:.0%} as much text", RIVAL))
            if main.coverage < MIN_COVERAGE:
                doubts.append((f"the body holds {main.coverage:.0%} of the page's prose", PARTIAL))
            if main.in_furniture:
                doubts.append(("the body sits in a box named as page furniture", FURNITURE))
        if prose < MIN_PROSE and not has_media:
            doubts.append((f"the body is {prose} characters", SCRAP))
        sentences = main.sentence_chars if main is not None else prose
        if sentences == 0 and not has_media:
            # no sentence to speak of: is the page a column of headline links (a channel page)?
            rows, chars = link_column(root, main)
            if rows >= COLUMN_ROWS and chars >= COLUMN_SHARE * max(sentences, MIN_PROSE):
                result.page_kind = "not_article"
                doubts.append((f"no prose, and a column of {rows} headline links: a channel or list page", EMPTY))
    else:
        confidence = TEMPLATE_CONFIDENCE if result.body_found else GENERIC_CONFIDENCE
        if not (result.paragraphs or has_media):
            doubts.append(("the template's body is empty", SCRAP))
    if result.title and not _headline_agrees(result.title, _named_title(page_title), meta):
        doubts.append(("the headline is neither in <title> nor og:title", HEADLINE))
    for _, factor in doubts:
        confidence *= factor
    result.confidence = round(confidence, 2)
    result.doubts = [text for text, _ in doubts]


def _named_title(page_title: str | None) -> str | None:
    """The page's <title> when it can name a story: not a short one that is only the site's name."""
    head = strip_site_suffix(page_title) or ""
    return page_title if len(squeeze(head)) > SITE_NAME_CHARS else None


def _headline_agrees(title: str, page_title: str | None, meta: dict) -> bool:
    """The headline is named by the page's <title> or og:title (or names them): the same story."""
    mine = squeeze(title)
    for other in (page_title, meta.get("og:title"), meta.get("twitter:title"), meta.get("articletitle")):
        other = squeeze(other)
        if not other:
            continue
        if mine in other or other in mine or _overlap(mine, other) >= 0.6:
            return True
    # a page with no <title> and no og:title says nothing against its headline
    return not ((page_title or "").strip() or meta.get("og:title") or meta.get("twitter:title"))


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's characters found in the longer one, in order (their LCS)."""
    short, long_ = sorted((a, b), key=len)
    if not short:
        return 0.0
    previous = [0] * (len(long_) + 1)
    for ch in short[:120]:
        current = [0]
        for j, other in enumerate(long_[:200]):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / min(len(short), 120)
