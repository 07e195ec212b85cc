"""`python -m workers.register_search_attributes`: register Baton's search attributes on a
Temporal cluster, so the Temporal UI can list initiatives by phase, owner and overdue.

The embedded dev server registers them when it starts; a cluster needs this once per namespace
(and again whenever workflows/search_attributes.py gains a key). A workflow that upserts an
unregistered key fails its workflow task, so deployments run this before the workers. Running
it again changes nothing. On Temporal Cloud they are added with `tcld`; should the operator call
be refused, the error gives the `tcld` command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import Rejected
from workers.composition import Place, load_settings
from workers.logging import configure_logging
from workers.setup_step import run_setup_step
from workflows.search_attributes import BATON_SEARCH_ATTRIBUTES

log = structlog.get_logger("baton.search_attributes")


class SearchAttributeConflict(Rejected):
    """A search attribute exists under Baton's name with another type: refused, as a command
    the rules refuse, since running the command again cannot help."""


async def register_search_attributes(
    client: Client,
    namespace: str,
    keys: Sequence[SearchAttributeKey[Any]] = BATON_SEARCH_ATTRIBUTES,
) -> list[str]:
    """Add the keys `namespace` lacks; returns the names added (empty when all were there)."""
    missing = await _missing(client, namespace, keys)
    if not missing:
        return []
    request = AddSearchAttributesRequest(search_attributes=missing, namespace=namespace)
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as error:
        if error.status == RPCStatusCode.ALREADY_EXISTS:
            # Another replica of this command won the race; what matters is the types.
            await _missing(client, namespace, keys)
            return []
        if error.status == RPCStatusCode.PERMISSION_DENIED:
            raise PermissionError(_refusal(namespace, missing, error.message)) from error
        raise
    return sorted(missing)


async def _missing(
    client: Client, namespace: str, keys: Sequence[SearchAttributeKey[Any]]
) -> dict[str, IndexedValueType.ValueType]:
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    registered = {**listed.system_attributes, **listed.custom_attributes}
    missing = {}
    for key in keys:
        wanted = IndexedValueType.ValueType(key.indexed_value_type)
        found = registered.get(key.name)
        if found is None:
            missing[key.name] = wanted
        elif found != wanted:
            raise SearchAttributeConflict(
                f"search attribute {key.name} exists in namespace {namespace} as "
                f"{_type_name(found)}; Baton needs {_type_name(wanted)}"
            )
    return missing


def _type_name(value: IndexedValueType.ValueType) -> str:
    """The name the Temporal CLI and tcld use: KeywordList for INDEXED_VALUE_TYPE_KEYWORD_LIST."""
    words = IndexedValueType.Name(value).removeprefix("INDEXED_VALUE_TYPE_").split("_")
    return "".join(word.title() for word in words)


def _refusal(namespace: str, missing: dict[str, IndexedValueType.ValueType], why: str) -> str:
    flags = " ".join(
        f"--search-attribute '{name}={_type_name(kind)}'" for name, kind in sorted(missing.items())
    )
    return (
        f"Temporal refused to add search attributes ({why}). On Temporal Cloud run: "
        f"tcld namespace search-attributes add --namespace {namespace} {flags}"
    )


async def _main() -> None:
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    client = await Place(settings).temporal()  # one line when Temporal does not answer
    added = await register_search_attributes(client, settings.temporal_namespace)
    log.info("search attributes registered", namespace=settings.temporal_namespace, added=added)


if __name__ == "__main__":
    run_setup_step("workers.register_search_attributes", _main)
