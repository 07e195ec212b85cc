"""The worker's sandbox: what it skips is only what cannot matter."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from workflows.initiative import InitiativeWorkflow
from workflows.sandbox import BatonSandboxRunner, ignores_context, workflow_runner

# Preparing a workflow builds an instance of it in its sandbox, as every run does.
INITIATIVE = workflow._Definition.must_from_class(InitiativeWorkflow)


class _CodecThatReadsItsContext(PayloadCodec, WithSerializationContext):
    """Say a codec that keys its encryption by workflow id."""

    def __init__(self, context: SerializationContext | None = None) -> None:
        self.context = context

    def with_context(self, context: SerializationContext) -> _CodecThatReadsItsContext:
        return _CodecThatReadsItsContext(context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)


async def test_the_worker_converter_ignores_where_a_payload_goes() -> None:
    runner = workflow_runner(pydantic_data_converter)
    assert isinstance(runner, BatonSandboxRunner) and runner.context_free
    runner.prepare_workflow(INITIATIVE)


async def test_a_converter_that_reads_its_context_gets_it() -> None:
    reading = dataclasses.replace(pydantic_data_converter,
                                  payload_codec=_CodecThatReadsItsContext())
    assert not ignores_context(reading)
    runner = workflow_runner(reading)
    assert isinstance(runner, BatonSandboxRunner) and not runner.context_free
    runner.prepare_workflow(INITIATIVE)
