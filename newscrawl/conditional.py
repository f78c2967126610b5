"""Validators: what a response says about its version (ETag, Last-Modified), and the headers that ask
the server "has it changed since?" (a 304 answers "no" without a body)."""

from __future__ import annotations

NOT_MODIFIED = 304


def header(response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else ""


def validators_of(response) -> tuple[str, str]:
    """(ETag, Last-Modified) of a response; empty strings where the server sent none."""
    return header(response, "ETag"), header(response, "Last-Modified")


def conditional_headers(etag: str = "", last_modified: str = "") -> dict[str, str]:
    """If-None-Match / If-Modified-Since for stored validators ({} when there are none)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
