"""`python -m workers.migrate`: bring the event store's schema up to date, then exit.

Deployments run it once before the workers (a compose one-shot service, a Kubernetes Job), so
a migration that fails stops the rollout instead of every replica in turn. Workers migrate on
start as well; once this has run they find nothing to do. Safe to run again or concurrently:
the migrations take an advisory lock and apply in one transaction.
"""

from __future__ import annotations

import structlog

from workers.composition import database_url, load_settings, open_store
from workers.logging import configure_logging
from workers.settings import Settings
from workers.setup_step import run_setup_step

log = structlog.get_logger("baton.migrate")


async def migrate(settings: Settings) -> list[str]:
    """Apply the pending migrations; returns their names, oldest first. Refused in one line
    (app.errors.Rejected) when PostgreSQL cannot be reached or the schema cannot be migrated."""
    from app.errors import unavailable
    from store.errors import MigrationError

    store = await open_store(database_url(settings), settings.db_schema, migrate=False,
                             configured=bool(settings.database_url))
    async with store:
        try:
            applied = await store.migrate()
        except MigrationError as error:
            raise unavailable(f"the database cannot be used as it is: {error}") from None
    return [f"{migration.version:04d}_{migration.name}" for migration in applied]


async def _main() -> None:
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    applied = await migrate(settings)
    log.info("event store schema is up to date", schema=settings.db_schema, applied=applied)


if __name__ == "__main__":
    run_setup_step("workers.migrate", _main)
