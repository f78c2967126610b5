"""A fast loopback forward proxy for the benchmark: answers absolute-URI GETs from files on disk.

Usage: mirror_server.py INDEX.json PORT [--log FILE]   (INDEX maps URL -> file path relative to it)
Prints "ready" once listening. Unknown URLs get 404. Keep-alive, asyncio, bodies cached in memory;
an entry {"generate": SEED, "size": N} is N pseudo-random bytes made per request, never cached
(the files benchmark serves a gigabyte of attachments).
"""

import asyncio
import json
import os
import random
import sys


async def main():
    index_path, port = sys.argv[1], int(sys.argv[2])
    log = open(sys.argv[4], "a") if len(sys.argv) > 4 and sys.argv[3] == "--log" else None
    base = os.path.dirname(os.path.abspath(index_path))
    with open(index_path, encoding="utf-8") as handle:
        index = json.load(handle)
    cache: dict[str, bytes] = {}

    def body_of(url: str):
        entry = index.get(url)
        if entry is None:
            return None
        if "generate" in entry:
            return random.Random(entry["generate"]).randbytes(entry["size"]), entry.get("type", "application/pdf")
        if url not in cache:
            with open(os.path.join(base, entry["file"]), "rb") as handle:
                cache[url] = handle.read()
        return cache[url], entry.get("type", "text/html; charset=utf-8")

    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode("latin-1").split(" ")
                target = parts[1] if len(parts) > 1 else ""
                length = 0
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    if header.lower().startswith(b"content-length:"):
                        length = int(header.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                found = body_of(target)
                if log:
                    log.write(target + "\n")
                if found is None:
                    status, body, ctype = "404 Not Found", b"not in mirror", "text/plain"
                else:
                    status, (body, ctype) = "200 OK", found
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
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
