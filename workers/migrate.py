"""`python -m workers.migrate`: bring the event store's schema up to date, then exit.

Deployments run it once before the workers (a compose one-shot service, a Kubernetes Job), so
a migration that fails stops the rollout instead of every replica in turn. Workers migrate on
start as well; once this has run they find nothing to do. Safe to run again or concurrently:
the migrations take an advisory lock and apply in one transaction.
"""

from __future__ import annotations

import asyncio

import structlog

from store import EventStore
from workers.embedded_postgres import database_url
from workers.logging import configure_logging
from workers.settings import Settings

log = structlog.get_logger("baton.migrate")


async def migrate(settings: Settings) -> list[str]:
    """Apply the pending migrations; returns their names, oldest first."""
    dsn = database_url(settings)
    async with await EventStore.connect(
        dsn, settings.db_schema, migrate=False, max_pool_size=1
    ) as store:
        applied = await store.migrate()
    return [f"{migration.version:04d}_{migration.name}" for migration in applied]


async def _main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    applied = await migrate(settings)
    log.info("event store schema is up to date", schema=settings.db_schema, applied=applied)


if __name__ == "__main__":
    asyncio.run(_main())
