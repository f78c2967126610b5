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
    bad = text.count("\ufffd")
    return text if bad <= max(MAX_BROKEN_CHARS, len(text) // 5000) else None


# The most frequent Chinese characters, simplified and traditional: real text is full of them, while
# Big5 bytes read as GB18030 (both decode cleanly) come out as rare characters.
COMMON_HANZI = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多"
    "定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由"
    "其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意"
    "建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统"
    "接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导"
    "器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示"
    "议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布"
    "复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选"
    "标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    "這為個國時來們於對會發動過說產種後經進著電裡現實兩體機當點從業應開還麼質氣變條沒結問無軍總長頭資邊級圖統較將組見"
    "計別論運農幾區強決幹戰則據處隊給門規熱領東導壓爭濟階術極聯認權證採轉單風帶場車務萬達積議聲報鬥類離華確張馬節話"
    "況溫傳許廣記觀織裝眾書復兒須際驗連斷難礦週備辦習響勞團歷構稱準號維劃選標寫親效養層專狀廠識適屬圓調滿縣參紅細聽"
    "該鐵價嚴龍飛學與樣關新內數義網頁們")


BIG5_MIN_HANZI = 20


def _common_share(text: str) -> float:
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return sum(c in COMMON_HANZI for c in hanzi) / max(1, len(hanzi))


def _unless_big5(body: bytes, encoding: str, text: str | None = None) -> str:
    """Big5 instead of GB18030 when the bytes are Big5: they decode as GB18030 too, into rare
    characters; the reading with more everyday characters is the page's. (GBK bytes, simplified or
    traditional, do not decode as Big5 at all, so a GBK page never gets here.)"""
    if encoding != "gb18030":
        return encoding
    as_big5 = _clean(body, "big5")
    if as_big5 is None:
        return encoding
    text = text if text is not None else body.decode(encoding)
    if sum("\u4e00" <= c <= "\u9fff" for c in as_big5) < BIG5_MIN_HANZI:
        return encoding  # a name or two ('贺伟芳') is too little to overrule the page's label
    return "big5" if _common_share(as_big5) > _common_share(text) + 0.2 else encoding


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
    (header, then <meta>) that decodes cleanly (Big5 bytes under a GB label are read as Big5); GB18030 when it decodes cleanly and reads as
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
            return _unless_big5(body, encoding), skip
    as_gb = _clean(body, "gb18030")
    if as_gb is not None and _cjk_share(as_gb) > 0.02:
        return _unless_big5(body, "gb18030", as_gb), skip
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
