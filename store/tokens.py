"""Personal tokens in PostgreSQL: issued, listed, revoked, and looked up by their hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from .migrations import quote_schema

# What a token starts with, so that a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "baton_"


def token_hash(token: str) -> str:
    """A fast hash is enough: tokens are 256 random bits, nothing to guess by brute force."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_id: str
    person: str
    grants: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


_COLUMNS = "token_id, person, grants, issued_at, expires_at, revoked_at"


class TokenStore:
    def __init__(self, pool: asyncpg.Pool, schema: str = "baton") -> None:
        self._pool = pool
        self._table = f"{quote_schema(schema)}.personal_tokens"

    async def issue(self, person: str, grants: list[str],
                    expires_at: datetime | None) -> tuple[TokenRecord, str]:
        """A new token for `person`: its record, and the token itself (never stored)."""
        token_id = f"tok_{secrets.token_hex(6)}"
        token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
        row = await self._pool.fetchrow(
            f"INSERT INTO {self._table} (token_id, token_hash, person, grants, expires_at) "
            f"VALUES ($1, $2, $3, $4, $5) RETURNING {_COLUMNS}",
            token_id, token_hash(token), person, sorted(set(grants)), expires_at)
        assert row is not None  # INSERT ... RETURNING returns the row
        return _record(row), token

    async def list(self) -> list[TokenRecord]:
        rows = await self._pool.fetch(f"SELECT {_COLUMNS} FROM {self._table} ORDER BY issued_at")
        return [_record(row) for row in rows]

    async def revoke(self, token_id: str) -> TokenRecord | None:
        """Revoke a token (again: the first revocation's time stays); None if unknown."""
        row = await self._pool.fetchrow(
            f"UPDATE {self._table} SET revoked_at = coalesce(revoked_at, now()) "
            f"WHERE token_id = $1 RETURNING {_COLUMNS}", token_id)
        return None if row is None else _record(row)

    async def by_id(self, token_id: str) -> TokenRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM {self._table} WHERE token_id = $1", token_id)
        return None if row is None else _record(row)

    async def find(self, token: str) -> TokenRecord | None:
        """The record of a token as presented, whatever its validity; None if never issued."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM {self._table} WHERE token_hash = $1", token_hash(token))
        return None if row is None else _record(row)


def _record(row: asyncpg.Record) -> TokenRecord:
    return TokenRecord(row["token_id"], row["person"], tuple(row["grants"]), row["issued_at"],
                       row["expires_at"], row["revoked_at"])
