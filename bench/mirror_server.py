"""A fast loopback forward proxy for the benchmark: answers absolute-URI requests from files on disk.

Usage: mirror_server.py INDEX.json PORT [--log FILE]   (INDEX maps URL -> {file: path relative to it,
type: its Content-Type, status: an HTTP status other than 200, e.g. 412 for an anti-bot wall})
Prints "ready" once listening. Unknown URLs get 404. Keep-alive, asyncio, bodies cached in memory;
an entry {"generate": SEED, "size": N} is N pseudo-random bytes made per request, never cached
(the files benchmark serves a gigabyte of attachments).

Conditional-aware, as the static pages of WebPlus and VSB servers are: every page is served with an
ETag and a Last-Modified derived from its bytes, and a request naming them is answered 304 with no
body (If-None-Match, when sent, decides alone). An index entry {"api": "webplus", "rows": […],
"siteId", "columnId"} answers the WebPlus list API's POSTed form as tests/sitegen.py does.

The log has one line per request, tab-separated: method, URL, status, body bytes, 1 if the request
was conditional (If-None-Match / If-Modified-Since) else 0.
"""

import asyncio
import email.utils
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from sitegen import webplus_api_answer  # noqa: E402


def validators(body: bytes) -> tuple[str, str]:
    digest = hashlib.md5(body).hexdigest()
    return f'"{digest[:16]}"', email.utils.formatdate(1_735_689_600 + int(digest[:7], 16), usegmt=True)


async def main():
    index_path, port = sys.argv[1], int(sys.argv[2])
    log = open(sys.argv[4], "a") if len(sys.argv) > 4 and sys.argv[3] == "--log" else None
    base = os.path.dirname(os.path.abspath(index_path))
    with open(index_path, encoding="utf-8") as handle:
        index = json.load(handle)
    cache: dict[str, tuple] = {}

    def page_of(url: str):
        entry = index.get(url)
        if entry is not None and "generate" in entry:
            body = random.Random(entry["generate"]).randbytes(entry["size"])
            return (body, entry.get("type", "application/pdf"), *validators(body))
        if entry is None or "file" not in entry:
            return None
        if url not in cache:
            with open(os.path.join(base, entry["file"]), "rb") as handle:
                body = handle.read()
            cache[url] = (body, entry.get("type", "text/html; charset=utf-8"), *validators(body))
        return cache[url]

    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode("latin-1").split(" ")
                method, target = parts[0], parts[1] if len(parts) > 1 else ""
                length, headers = 0, {}
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                    if name.strip().lower() == "content-length":
                        length = int(value)
                sent = await reader.readexactly(length) if length else b""
                asked = headers.get("if-none-match")
                since = headers.get("if-modified-since")
                extra = ""
                entry = index.get(target) or {}
                if entry.get("api") == "webplus":
                    status, ctype = "200 OK", "application/json;charset=UTF-8"
                    body = webplus_api_answer([tuple(r) for r in entry["rows"]], sent, entry["siteId"], entry["columnId"])
                else:
                    found = page_of(target)
                    if found is None:
                        status, body, ctype = "404 Not Found", b"not in mirror", "text/plain"
                    elif entry.get("status", 200) != 200:  # an error or a wall: no validators
                        status, (body, ctype) = f"{entry['status']} Status", found[:2]
                    else:
                        page, ctype, etag, modified = found
                        extra = f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
                        if (asked == etag) if asked is not None else (since == modified):
                            status, body = "304 Not Modified", b""
                        else:
                            status, body = "200 OK", page
                if log:
                    log.write(f"{method}\t{target}\t{status.split()[0]}\t{len(body)}\t{int(bool(asked or since))}\n")
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {len(body)}\r\n"
                             "Connection: keep-alive\r\n\r\n".encode("latin-1") + body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if log:
                log.flush()
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
