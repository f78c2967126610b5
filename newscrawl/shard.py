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
