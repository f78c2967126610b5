"""Connection strings in messages: every secret a PostgreSQL connection string can carry, masked."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, unquote_plus, urlsplit

MASK = "***"
# libpq's secret options (psycopg, when installed, adds any newer libpq knows: see secret_keys)
SECRET_KEYS = frozenset({"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"})
# keyword = value words; a value is 'quoted' (\' and \\ escaped) or runs to the next keyword, so a
# malformed unquoted value with a space is still masked whole
KEYWORD_VALUE_RE = re.compile(r"(?P<key>\w+)\s*=\s*(?P<value>'(?:[^'\\]|\\.)*'|.*?)(?=\s+\w+\s*=|\s*$)", re.S)
QUOTED_RE = re.compile(r'"([^"]+)"')
MIN_FREE_TEXT = 4  # a shorter secret is masked in the string and in quotes, not in every word of a message


@lru_cache(maxsize=1)
def secret_keys() -> frozenset[str]:
    """Our list, plus the options libpq itself shows as '*' (secret) in its connection dialogs."""
    try:
        from psycopg import pq

        return SECRET_KEYS | {o.keyword.decode() for o in pq.Conninfo.get_defaults() if o.dispchar == b"*"}
    except Exception:  # psycopg or libpq not installed: the list above
        return SECRET_KEYS


def _masked_url(conninfo: str) -> tuple[str, set[str]]:
    parts = urlsplit(conninfo)
    secrets: set[str] = set()
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, hosts = netloc.rsplit("@", 1)
        user, colon, password = userinfo.partition(":")
        if colon:
            secrets |= {password, unquote(password)}
            netloc = f"{user}:{MASK}@{hosts}"
    query = []
    for pair in parts.query.split("&") if parts.query else ():
        key, equals, value = pair.partition("=")
        if equals and unquote_plus(key).lower() in secret_keys():
            secrets |= {value, unquote(value), unquote_plus(value)}
            pair = f"{key}={MASK}"
        query.append(pair)
    # rebuilt by hand: urlunsplit would drop the empty host of postgresql:///db?host=/socket
    shown = f"{conninfo[:conninfo.index('://')]}://{netloc}{parts.path}" + (f"?{'&'.join(query)}" if query else "")
    return shown + (f"#{parts.fragment}" if parts.fragment else ""), secrets


def _masked_keywords(conninfo: str) -> tuple[str, set[str]]:
    secrets: set[str] = set()

    def mask(match: re.Match) -> str:
        if match["key"].lower() not in secret_keys():
            return match.group(0)
        value = match["value"]
        secrets.add(value)
        if value.startswith("'"):
            secrets.add(re.sub(r"\\(.)", r"\1", value[1:-1]))
        return match.group(0)[: match.start("value") - match.start()] + MASK

    return KEYWORD_VALUE_RE.sub(mask, conninfo), secrets


def redacted(conninfo: str, text: str | None = None) -> str:
    """text (by default the connection string itself) with every secret of conninfo masked as ***.

    Both forms libpq reads are covered: a URL (postgresql://user:secret@host/db?password=…&sslpassword=…)
    and keyword=value words (host=h password='…'). A secret is also masked wherever else text holds
    it (an error message quoting the string or a piece of it), raw, unquoted or percent-decoded.
    """
    conninfo = conninfo or ""
    if re.match(r"^postgres(?:ql)?://", conninfo, re.I):
        masked, secrets = _masked_url(conninfo)
    else:
        masked, secrets = _masked_keywords(conninfo)
    out = masked if text is None else text.replace(conninfo, masked)
    secrets = {s for s in secrets if s and s != MASK}
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_FREE_TEXT:
            out = out.replace(secret, MASK)
    # libpq's messages quote what they could not parse: a quoted piece of a secret goes, however short
    return QUOTED_RE.sub(lambda m: f'"{MASK}"' if any(m.group(1) in s for s in secrets) else m.group(0), out)
