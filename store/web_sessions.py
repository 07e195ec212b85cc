"""Browser sessions and sign-in drafts in PostgreSQL, looked up by a hash of their random ids."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from .migrations import quote_schema

# Ended sessions and forgotten drafts are kept this long (for the access log's questions), then
# removed by the next sign-in.
KEEP_ENDED = "30 days"
KEEP_DRAFTS = "1 day"


def id_hash(secret_id: str) -> str:
    """Ids are 256 random bits: a fast hash is enough, and the table alone signs no one in."""
    return hashlib.sha256(secret_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionRecord:
    person: str
    grants: tuple[str, ...]
    auth_method: str
    auth_issuer: str | None
    auth_subject: str | None
    token_id: str | None
    idp_access_token: str | None
    created_at: datetime
    checked_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewSession:
    person: str
    grants: tuple[str, ...]
    auth_method: str
    auth_issuer: str | None
    auth_subject: str | None
    token_id: str | None
    idp_access_token: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Draft:
    page: str
    fields: dict[str, list[str]]


_COLUMNS = ("person, grants, auth_method, auth_issuer, auth_subject, token_id, "
            "idp_access_token, created_at, checked_at, expires_at")


class WebSessionStore:
    def __init__(self, pool: asyncpg.Pool, schema: str = "baton") -> None:
        self._pool = pool
        self._sessions = f"{quote_schema(schema)}.web_sessions"
        self._drafts = f"{quote_schema(schema)}.sign_in_drafts"

    async def open(self, session_id: str, new: NewSession) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                f"DELETE FROM {self._sessions} WHERE coalesce(ended_at, expires_at) "
                f"< now() - interval '{KEEP_ENDED}'")
            await connection.execute(
                f"INSERT INTO {self._sessions} (session_hash, person, grants, auth_method, "
                "auth_issuer, auth_subject, token_id, idp_access_token, expires_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                id_hash(session_id), new.person, list(new.grants), new.auth_method,
                new.auth_issuer, new.auth_subject, new.token_id, new.idp_access_token,
                new.expires_at)

    async def live(self, session_id: str) -> SessionRecord | None:
        """The session if it has neither ended nor expired, marked as seen now."""
        row = await self._pool.fetchrow(
            f"UPDATE {self._sessions} SET last_seen_at = now() WHERE session_hash = $1 "
            f"AND ended_at IS NULL AND expires_at > now() RETURNING {_COLUMNS}",
            id_hash(session_id))
        return None if row is None else _record(row)

    async def checked(self, session_id: str) -> None:
        await self._pool.execute(
            f"UPDATE {self._sessions} SET checked_at = now() WHERE session_hash = $1",
            id_hash(session_id))

    async def end(self, session_id: str, why: str) -> None:
        await self._pool.execute(
            f"UPDATE {self._sessions} SET ended_at = now(), ended_why = $2, "
            "idp_access_token = NULL WHERE session_hash = $1 AND ended_at IS NULL",
            id_hash(session_id), why)

    async def keep_draft(self, draft_id: str, draft: Draft) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                f"DELETE FROM {self._drafts} WHERE created_at < now() - interval "
                f"'{KEEP_DRAFTS}'")
            await connection.execute(
                f"INSERT INTO {self._drafts} (draft_hash, page, fields) VALUES ($1, $2, $3)",
                id_hash(draft_id), draft.page, json.dumps(draft.fields))

    async def take_draft(self, draft_id: str, page: str) -> Draft | None:
        """The draft kept for `page`, removed as it is read: a form is filled in again once."""
        row = await self._pool.fetchrow(
            f"DELETE FROM {self._drafts} WHERE draft_hash = $1 AND page = $2 AND created_at > "
            f"now() - interval '{KEEP_DRAFTS}' RETURNING page, fields", id_hash(draft_id), page)
        if row is None:
            return None
        fields: dict[str, Any] = json.loads(row["fields"])
        return Draft(row["page"], {name: [str(v) for v in values]
                                   for name, values in fields.items()})


def _record(row: asyncpg.Record) -> SessionRecord:
    return SessionRecord(row["person"], tuple(row["grants"]), row["auth_method"],
                         row["auth_issuer"], row["auth_subject"], row["token_id"],
                         row["idp_access_token"], row["created_at"], row["checked_at"],
                         row["expires_at"])
