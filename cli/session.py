"""One command's view of the world: the actor, the output, and the use cases' context, built on
first use by the composition root that started the command (`workers.baton`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from cli.errors import bad_input
from cli.output import Output

if TYPE_CHECKING:
    from app.context import Context
    from cli.remote import Remote

ContextFactory = Callable[[], "Context"]


class Session:
    def __init__(self, args: argparse.Namespace, out: Output,
                 make_context: ContextFactory) -> None:
        self.out = out
        self._given_actor: str | None = getattr(args, "actor", None)
        self._make_context = make_context
        self._context: Context | None = None

    def actor(self) -> str:
        actor = (self._given_actor or self.context().where.default_actor or "").strip()
        if not actor:
            raise bad_input("who is acting? pass --as ACTOR or set BATON_ACTOR")
        if any(character.isspace() for character in actor) or len(actor) > 254:
            raise bad_input(f"--as: {actor!r} is not an actor id (no spaces, at most 254 "
                            "characters)")
        try:
            actor.encode()
        except UnicodeEncodeError:  # bytes that are not UTF-8 reach argv as lone surrogates
            raise bad_input(f"--as: {actor!r} is not UTF-8 text") from None
        return actor

    def remote(self) -> Remote | None:
        """The HTTP API that people's commands go through, when BATON_URL is set."""
        where = self.context().where
        if where.api_url is None:
            return None
        if self._given_actor:
            raise bad_input("--as is refused when BATON_URL is set: the API records the person "
                            "BATON_TOKEN authenticates")
        from cli.remote import Remote

        return Remote(where.api_url, where.api_token)

    def context(self) -> Context:
        if self._context is None:
            self._context = self._make_context()
            self._context.patience = self.out.patience
        return self._context

    @property
    def temporal_address(self) -> str:
        return self._context.where.temporal_address if self._context is not None else "?"

    async def close(self) -> None:
        if self._context is not None:
            await self._context.close()
        self._context = None
