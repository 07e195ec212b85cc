"""PostgreSQL connection strings fit to print: every secret they can carry is masked."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "***"

# Parameters whose value is a secret: libpq's password and sslpassword, and any other name that
# says it holds one (a driver's or a proxy's token, say).
_SECRET_NAME = re.compile(r"pass|secret|token|key", re.IGNORECASE)
# libpq's other spelling, keyword/value pairs: host=db password='it''s' dbname=baton
_KEYWORD_VALUE = re.compile(
    r"""(?P<name>\b[A-Za-z_]+)\s*=\s*(?P<value>'(?:[^'\\]|\\.|'')*'|\S+)""")


def redact_dsn(dsn: str) -> str:
    """`dsn` with its password, and any secret among its query parameters, replaced by ***."""
    if "://" not in dsn:
        return _KEYWORD_VALUE.sub(_mask_pair, dsn)
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{host}"
    # A DSN has no use for a fragment; whatever is there is masked like the query.
    return urlunsplit(parts._replace(netloc=netloc, query=_masked_query(parts.query),
                                     fragment=_masked_query(parts.fragment)))


def _masked_query(query: str) -> str:
    return "&".join(
        f"{quote(name, safe='')}={MASK if _SECRET_NAME.search(name) else quote(value, safe='')}"
        for name, value in parse_qsl(query, keep_blank_values=True))


def _mask_pair(match: re.Match[str]) -> str:
    if _SECRET_NAME.search(match["name"]):
        return f"{match['name']}={MASK}"
    return match[0]
