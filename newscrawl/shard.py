"""Sharding without coordination: which sources shard I of N crawls, by a stable hash of the name."""

from __future__ import annotations

import hashlib
import re

SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(ValueError):
    """A --shard value that is not I/N with 1 <= I <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """'2/5' -> (2, 5); shards are numbered from 1, like cron lines or machines are counted."""
    match = SHARD_RE.match(text or "")
    if not match:
        raise ShardError(f"--shard {text!r}: expected I/N, e.g. --shard 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard {text!r}: I must be between 1 and N (N >= 1)")
    return index, count


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) a source name belongs to.

    md5 of the name, not hash(): Python salts str hashes per process, and every machine and every
    run must agree on the split without talking to each other.
    """
    digest = hashlib.md5(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def in_shard(name: str, index: int, count: int) -> bool:
    return shard_of(name, count) == index


def main(argv: list[str] | None = None) -> int:
    """`python -m newscrawl.shard I/N [SOURCES_FILE]`: the names of shard I's sources, one a line
    (for schedulers that start one job per source, such as Scrapyd)."""
    import sys

    from newscrawl.config import ConfigError, load_sources

    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m newscrawl.shard I/N [SOURCES_FILE]", file=sys.stderr)
        return 1
    try:
        index, count = parse_shard(args[0])
        names = [n for n in load_sources(args[1] if len(args) > 1 else None) if in_shard(n, index, count)]
    except (ShardError, ConfigError) as exc:
        print(f"newscrawl: {exc}", file=sys.stderr)
        return 1
    print("\n".join(names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
