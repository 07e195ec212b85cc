"""A refused action answers from what is small: the refusal, and for whoever does not see every
initiative the portfolio's row, never a query of the workflow's whole view. Counted on the
client the use cases talk to the real Temporal server through."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client, Interceptor, OutboundInterceptor, QueryWorkflowInput

from app.act import ActRequest, act
from app.context import Context
from app.errors import Rejected, RejectionKind
from app.launch import LaunchRequest, launch
from domain import InitiativeSpec
from domain.visibility import THE_OPERATOR, Grant, Person, Viewer
from tests.domain.builders import EXPERT, PMO, SPONSOR, quick_spec_data


class QueriesSeen(Interceptor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Counting(next, self.names)


class _Counting(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, names: list[str]) -> None:
        super().__init__(next)
        self._names = names

    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        self._names.append(input.query)
        return await super().query_workflow(input)


@pytest.fixture
def queries() -> QueriesSeen:
    return QueriesSeen()


@pytest.fixture
def use_case_client(temporal_client: Client, queries: QueriesSeen) -> Client:
    return Client(temporal_client.service_client, namespace=temporal_client.namespace,
                  data_converter=temporal_client.data_converter, interceptors=[queries])


STRANGER = Person("nobody@acme.example")


@pytest.mark.parametrize(("viewer", "actor", "kind"), [
    (THE_OPERATOR, PMO, RejectionKind.FORBIDDEN),
    (Person(EXPERT), EXPERT, RejectionKind.FORBIDDEN),  # named: told why
    (Person("office@acme.example", frozenset({Grant.PMO})), "office@acme.example",
     RejectionKind.FORBIDDEN),
    (STRANGER, STRANGER.id, RejectionKind.NOT_FOUND),  # as an unknown initiative
], ids=["operator", "named", "office", "stranger"])
async def test_a_refusal_never_queries_the_workflow(
        context: Context, queries: QueriesSeen, viewer: Viewer, actor: str,
        kind: RejectionKind) -> None:
    spec = InitiativeSpec.model_validate(quick_spec_data())
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None
    await act(context, ActRequest(viewer=THE_OPERATOR, initiative_id=iid, action="idea",
                                  actor="clerk-1@acme.example", arguments={"text": "an idea"}))
    queries.names.clear()
    with pytest.raises(Rejected) as refusal:
        await act(context, ActRequest(viewer=viewer, initiative_id=iid, action="approve-launch",
                                      actor=actor))
    assert refusal.value.kind is kind, refusal.value
    if kind is RejectionKind.NOT_FOUND:
        assert str(refusal.value) == f"unknown initiative {iid}"
    assert queries.names == []
    approved = await act(context, ActRequest(viewer=Person(SPONSOR), initiative_id=iid,
                                             action="approve-launch", actor=SPONSOR))
    assert approved.phase == "improving" and queries.names == []


async def test_an_ideas_answer_never_queries_the_workflow(
        context: Context, queries: QueriesSeen) -> None:
    """Ideas are numbered in a stream of their own: the answer's version is still the
    initiative's, read from the portfolio's row however many ideas came before."""
    spec = InitiativeSpec.model_validate(quick_spec_data())
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None
    queries.names.clear()
    for n in range(3):
        idea = await act(context, ActRequest(
            viewer=THE_OPERATOR, initiative_id=iid, action="idea",
            actor="clerk-1@acme.example", arguments={"text": f"idea {n}"}))
        assert (idea.version, idea.phase) == (1, "proposed")
    assert queries.names == []
