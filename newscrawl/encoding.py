"""Deciding a page's encoding from evidence, not from what it claims; telling garbled text apart."""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

# Encodings where a clean strict decode is real evidence (single-byte ones decode anything).
MULTIBYTE = ("utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "shift_jis", "euc_jp", "euc_kr",
             "utf-16", "utf-16-le", "utf-16-be", "utf-32")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# UTF-8 read as Latin-1/cp1252: a lead byte character followed by continuation characters.
LATIN1_MOJIBAKE_RE = re.compile(r"[\u00c2-\u00ef][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6\u02dc]")
# What a round trip through a wrong codec leaves behind (U+FFFD, 锟斤拷, 烫烫烫).
REPLACEMENT_RE = re.compile("\ufffd|锟斤拷|烫烫烫|屯屯屯")
MAX_BROKEN_CHARS = 3  # broken byte sequences a page may have and still be read in its encoding
# Chinese bytes read as a Cyrillic, Greek or Mac code page: letters of both cases run together
# inside words ('ЙСЛзФєЧ'), which real Russian or Greek text hardly ever does.
CASE_FLIP_RE = re.compile(r"[\u0430-\u044f\u03b1-\u03c9\u00e0-\u00ff][\u0410-\u042f\u0391-\u03a9\u00c0-\u00de]")
FOREIGN_LETTER_RE = re.compile(r"[\u0400-\u04ff\u0370-\u03ff\u00c0-\u00ff]")


def _clean(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _nearly_clean(body: bytes, encoding: str) -> str | None:
    """The text, when the bytes decode but for a character or two cut short (a truncated page, a
    CMS that cut a title in the middle of a character): what a browser shows, one U+FFFD each."""
    try:
        text = body.decode(encoding, "replace")
    except LookupError:
        return None
    bad = text.count("\ufffd") - body.decode("latin-1").count("\ufffd")
    return text if bad <= max(MAX_BROKEN_CHARS, len(text) // 5000) else None


def _normalize(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    if resolved in ("gbk", "gb2312", "cp936"):
        return "gb18030"  # a superset: pages labelled gb2312 routinely use GBK characters
    return resolved


def _cjk_share(text: str) -> float:
    return len(CJK_RE.findall(text)) / max(1, len(text))


def choose_encoding(body: bytes, content_type: str | None = None) -> tuple[str, int]:
    """(encoding, BOM length to strip) for an HTML body, from evidence.

    Order: a BOM whose encoding decodes the body cleanly; UTF-8 when the bytes are valid UTF-8
    (no other common encoding produces valid UTF-8 by accident); a declared multibyte encoding
    (header, then <meta>) that decodes cleanly; GB18030 when it decodes cleanly and reads as
    Chinese (a single-byte label over GBK bytes); the same three again allowing a few broken
    characters (a truncated character is no reason to guess); the declared encoding;
    charset-normalizer.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        if _clean(body[len(bom):], bom_encoding) is not None:
            return bom_encoding, len(bom)
        body = body[len(bom):]  # a BOM that lies: ignore it, and strip it
    skip = len(bom or b"")
    if _clean(body, "utf-8") is not None:
        return "utf-8", skip
    declared = [e for e in (_normalize(http_content_type_encoding(content_type or "")),
                            _normalize(html_body_declared_encoding(body[:4096]))) if e]
    for encoding in declared:
        if encoding in MULTIBYTE and _clean(body, encoding) is not None:
            return encoding, skip
    as_gb = _clean(body, "gb18030")
    if as_gb is not None and _cjk_share(as_gb) > 0.02:
        return "gb18030", skip
    # a character or two cut short must not hand the page to a guess (a single-byte code page
    # decodes anything, and reads Chinese as Cyrillic or Greek)
    if _nearly_clean(body, "utf-8") is not None:
        return "utf-8", skip
    for encoding in declared:
        if encoding in MULTIBYTE and _nearly_clean(body, encoding) is not None:
            return encoding, skip
    as_gb = _nearly_clean(body, "gb18030")
    if as_gb is not None and _cjk_share(as_gb) > 0.02:
        return "gb18030", skip
    if declared and declared[0] not in MULTIBYTE:
        return declared[0], skip
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    if best is not None:
        return _normalize(best.encoding) or best.encoding, skip
    return (declared[0] if declared else "gb18030"), skip


def garbled(text: str) -> bool:
    """True for text that still reads as mojibake after decoding (replacement characters, UTF-8 read as Latin-1)."""
    if not text:
        return False
    bad = len(REPLACEMENT_RE.findall(text)) + len(LATIN1_MOJIBAKE_RE.findall(text))
    if bad >= 3 and bad / len(text) > 0.002 or bad / len(text) > 0.05:
        return True
    # Chinese read through a Cyrillic/Greek/Mac code page: foreign letters, their cases mixed in words
    foreign = len(FOREIGN_LETTER_RE.findall(text))
    return foreign >= 20 and len(CASE_FLIP_RE.findall(text)) >= 0.1 * foreign
