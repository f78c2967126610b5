"""Which links of an article are files to keep, and what an answer says about the file (pure decisions)."""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import unquote, urlsplit

from scrapy.pipelines.media import FileException

from newscrawl.urls import is_http_url

MODES = ("off", "attachments", "all")
ATTACHMENT = "attachment"
IMAGE = "image"
LINK = "link"  # a body link that may be a file: kept as an attachment if its answer is one
# a link whose URL or text says "download" or names a file, though its URL has no file extension
LINK_URL_HINT_RE = re.compile(r"download|downfile|attach|fujian|getfile|fileid|/files?/|[?&/]down\b", re.I)
LINK_TEXT_HINT_RE = re.compile(r"^\s*附件|附件\s*[0-9一二三四五六七八九十]*\s*[：:]|下载|"
                               r"\.(?:pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|txt|csv)\s*$", re.I)
PAGE_EXTENSIONS = ("htm", "html", "shtml", "xhtml")
# extensions the archive names files by when nothing better is known; the CMS paths below carry none
KNOWN_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps zip rar 7z txt csv jpg jpeg png gif webp bmp tif tiff svg "
    "mp3 mp4 avi mov wmv flv odt ods odp rtf htm html".split())
EXT_RE = re.compile(r"\.([A-Za-z0-9]{1,8})$")
DISPOSITION_NAME_RE = re.compile(r"""filename\*?\s*=\s*(?:[\w-]+'[^']*')?"?([^";]+)""", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")
HTML_START_RE = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<meta)", re.I)
# types that mimetypes.guess_extension answers badly or not at all
TYPE_EXTENSIONS = {
    "application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt", "application/zip": "zip", "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar", "application/vnd.rar": "rar", "application/x-7z-compressed": "7z",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/kswps": "wps", "application/wps-office.wps": "wps", "text/plain": "txt",
    "image/jpeg": "jpg", "image/pjpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "image/bmp": "bmp", "image/svg+xml": "svg", "image/tiff": "tif",
}


class FileNotKept(FileException):
    """A file not kept this run (failed, too large, offsite, skipped): counted and logged once already."""

    def __init__(self, kind: str, reason: str):
        super().__init__(f"{kind}: {reason}")


def wanted_files(attachments: list[dict], images: list[str], mode: str) -> list[tuple[str, str]]:
    """(url, kind) of the files an article keeps: its attachments, and its pictures too with mode 'all'."""
    if mode not in ("attachments", "all"):
        return []
    out: dict[str, str] = {}
    for attachment in attachments:
        url = (attachment.get("url") or "").strip()
        if is_http_url(url):
            out.setdefault(url, ATTACHMENT)
    if mode == "all":
        for url in images:
            if is_http_url(url):
                out.setdefault(url, IMAGE)
    return list(out.items())


def candidate_links(links, known: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(url, text) of body links that may be files: not known already, not a page by their extension,
    and a URL or text that says download, attachment or a file name (a `getfile?id=` link, 附件：名单)."""
    seen = {url for url, _ in known}
    out = []
    for url, text in links:
        url = (url or "").strip()
        if not is_http_url(url) or url in seen:
            continue
        seen.add(url)
        if _ext_of(unquote(urlsplit(url).path)) in PAGE_EXTENSIONS:
            continue
        if LINK_URL_HINT_RE.search(url) or LINK_TEXT_HINT_RE.search(text or ""):
            out.append((url, (text or "").strip()))
    return out


def _header(headers, name: str) -> str:
    value = headers.get(name) if headers is not None else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return (value or "").strip()


def disposition_name(headers) -> str:
    """The file name a Content-Disposition header gives, if any."""
    match = DISPOSITION_NAME_RE.search(_header(headers, "Content-Disposition"))
    return unquote(match.group(1).strip()) if match else ""


def media_type(headers) -> str:
    """The Content-Type without its parameters, lowercased ('' when absent)."""
    return _header(headers, "Content-Type").split(";", 1)[0].strip().lower()


def _ext_of(name: str) -> str:
    match = EXT_RE.search(name or "")
    return match.group(1).lower() if match else ""


def url_extension(url: str) -> str:
    """The extension of the URL's path, when it is one the archive knows."""
    ext = _ext_of(unquote(urlsplit(url).path))
    return ext if ext in KNOWN_EXTENSIONS else ""


def file_extension(url: str, headers) -> str:
    """What the kept file is named with: the answer's own file name, else the URL's, else its type's."""
    for ext in (_ext_of(disposition_name(headers)), url_extension(url)):
        if ext:
            return ext
    kind = media_type(headers)
    if kind in TYPE_EXTENSIONS:
        return TYPE_EXTENSIONS[kind]
    guessed = mimetypes.guess_extension(kind) if kind else None
    return guessed.lstrip(".") if guessed else "bin"


def file_type(headers, ext: str) -> str:
    """The file's media type: the answer's Content-Type, or the extension's when the server says nothing useful."""
    kind = media_type(headers)
    if kind and kind not in ("application/octet-stream", "application/x-download", "application/force-download",
                             "binary/octet-stream", "application/unknown"):
        return kind
    for mime, known in TYPE_EXTENSIONS.items():
        if known == ext:
            return mime
    return mimetypes.guess_type(f"x.{ext}")[0] or kind or "application/octet-stream"


def is_a_file(url: str, headers, head: bytes) -> bool:
    """False when the answer is a web page (a login, an error or a 'file not found' page served with 200).

    A page the server offers as an attachment (Content-Disposition), or a link to an .htm file, is a file.
    """
    if "attachment" in _header(headers, "Content-Disposition").lower():
        return True
    if url_extension(url) in ("htm", "html"):
        return True
    kind = media_type(headers)
    if kind in HTML_TYPES:
        return False
    # a page sent without a type, or as text/plain, is still a page
    return not (kind in ("", "text/plain", "application/octet-stream") and HTML_START_RE.match(head[:512]))


def stored_path(sha256: str, ext: str) -> str:
    """Where a file is kept inside the files folder: named by its content, fanned out by its first byte."""
    return f"{sha256[:2]}/{sha256}.{ext}"


def local_url(files_url: str, path: str) -> str:
    """The kept file's address in the published site (NEWSCRAWL_FILES_URL + its path)."""
    return files_url.rstrip("/") + "/" + path
