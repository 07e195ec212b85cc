"""The one-shot setup commands a deployment runs before its workers: the event store's
migrations and the search attributes on the Temporal namespace."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesResponse
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from store import EventStore
from store.migrations import load_migrations
from workers.migrate import migrate
from workers.register_search_attributes import (
    SearchAttributeConflict,
    register_search_attributes,
)
from workers.settings import Settings
from workflows.search_attributes import BATON_SEARCH_ATTRIBUTES, PHASE


async def test_migrate_applies_every_migration_once(database_url: str) -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "BATON_DB_SCHEMA": f"test_{uuid.uuid4().hex[:12]}"})
    try:
        first, again = await migrate(settings), await migrate(settings)
    finally:
        async with await EventStore.connect(database_url, settings.db_schema,
                                            migrate=False) as store:
            await store.drop_schema()

    assert first == [f"{m.version:04d}_{m.name}" for m in load_migrations()]
    assert again == []


async def test_registered_attributes_are_left_alone(temporal_client: Client) -> None:
    # The embedded server registered Baton's own when it started.
    assert await register_search_attributes(temporal_client, "default") == []


async def test_missing_attributes_are_added_once(temporal_client: Client) -> None:
    extra = SearchAttributeKey.for_keyword(f"BatonTest{uuid.uuid4().hex[:8]}")
    keys = (*BATON_SEARCH_ATTRIBUTES, extra)

    assert await register_search_attributes(temporal_client, "default", keys) == [extra.name]
    assert await register_search_attributes(temporal_client, "default", keys) == []


async def test_a_name_taken_with_another_type_is_refused(temporal_client: Client) -> None:
    clashing = SearchAttributeKey.for_text(PHASE.name)

    with pytest.raises(SearchAttributeConflict, match=r"BatonPhase exists .* as Keyword"):
        await register_search_attributes(temporal_client, "default", [clashing])


class CloudOperatorService:
    """Temporal Cloud's answer to the operator calls a namespace API key may not make."""

    async def list_search_attributes(self, _request: Any) -> ListSearchAttributesResponse:
        return ListSearchAttributesResponse()

    async def add_search_attributes(self, _request: Any) -> None:
        raise RPCError("Request unauthorized.", RPCStatusCode.PERMISSION_DENIED, b"")


async def test_a_refusal_says_how_to_add_them_on_temporal_cloud() -> None:
    cloud: Any = SimpleNamespace(operator_service=CloudOperatorService())

    with pytest.raises(PermissionError) as refusal:
        await register_search_attributes(cloud, "ops.acme")

    assert ("tcld namespace search-attributes add --namespace ops.acme "
            "--search-attribute 'BatonOverdue=Bool' --search-attribute 'BatonOwner=Keyword' "
            "--search-attribute 'BatonPhase=Keyword'") in str(refusal.value)
