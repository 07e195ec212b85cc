"""What the use cases need from the outside world, opened on first use and closed once.

A composition root (`workers/`) builds a `Context` from the settings and hands it to a door: the
CLI builds one per command, a server one per process, entered with `async with` in its lifespan
so its clients close with it. Use cases take it as their first argument.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Self, TypeVar

from app.errors import Rejected, unavailable

if TYPE_CHECKING:
    from temporalio.client import Client

    from store import EventStore
    from workflows.call_policy import Budget
    from workflows.client import InitiativeClient
    from workflows.source_hosts import SourceHosts

P = ParamSpec("P")
R = TypeVar("R")

# A worker that polls the task queue answers within milliseconds; this long means none will. The
# whole call's budget: every attempt and pause inside it is fitted to it (`workflows.call_policy`).
ANSWER_TIMEOUT = 30.0
# How long a worker seen polling is taken to be there still (the server itself remembers a
# poller for a minute).
WORKER_SEEN_FOR = 10.0
# Asking who polls: a call lost on its way is asked again, twice at most, a moment apart.
POLLERS_TRIES = 3

Opener = Callable[[], Awaitable[Any]]
Patience = Callable[[str], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _no_patience(message: str) -> AsyncIterator[None]:
    yield


@dataclass
class Where:
    """Where things run, as the composition root resolved it; said in messages."""

    temporal_address: str
    namespace: str
    task_queue: str
    db_schema: str
    audit_dsn: str | None = None  # for audits run in several processes
    default_actor: str | None = None  # BATON_ACTOR: who acts when a command does not say
    # BATON_URL and BATON_TOKEN: people's commands then go through that HTTP API instead.
    api_url: str | None = None
    api_token: str | None = field(default=None, repr=False)


@dataclass
class Context:
    """The clients of one door. Each opener raises `Rejected` (kind `unavailable`) with the one
    line a person needs when its server cannot be reached."""

    where: Where
    open_temporal: Callable[[], Awaitable[Client]]
    open_store: Callable[[], Awaitable[EventStore]]  # the writer's: migrated
    # For listing and figures: never migrated, never written, so a read-only role will do.
    open_read_store: Callable[[], Awaitable[EventStore]]
    open_audit_store: Callable[[], Awaitable[EventStore]]  # the auditor's role when configured
    answer_timeout: float = ANSWER_TIMEOUT
    # Which hosts a launch's metric source may name (BATON_METRIC_SOURCE_HOSTS); None: the default.
    source_hosts: SourceHosts | None = None
    # A door may show something while a worker is slow to answer (the CLI says it is waiting).
    patience: Patience = _no_patience
    _opened: dict[str, Any] = field(default_factory=dict)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)
    _worker_seen_at: float | None = None

    async def _once(self, name: str, opener: Opener) -> Any:
        # A server's concurrent requests must not open a second pool while the first opens.
        async with self._opening:
            if name not in self._opened:
                self._opened[name] = await opener()
        return self._opened[name]

    async def temporal(self) -> Client:
        client: Client = await self._once("temporal", self.open_temporal)
        return client

    async def initiatives(self) -> InitiativeClient:
        """One per context, as the client's bound on updates in flight to an initiative holds
        only within one: a client per request would let a crowd past the server's own limit,
        which then refuses them all and keeps the ones given up on in flight."""
        from workflows.client import InitiativeClient

        temporal = await self.temporal()  # before `_once` takes the lock `temporal` takes too

        async def opened() -> InitiativeClient:
            return InitiativeClient(temporal, self.where.task_queue,
                                    source_hosts=self.source_hosts)

        initiatives: InitiativeClient = await self._once("initiatives", opened)
        return initiatives

    async def store(self) -> EventStore:
        store: EventStore = await self._once("store", self.open_store)
        return store

    async def read_store(self) -> EventStore:
        store: EventStore = await self._once("read_store", self.open_read_store)
        return store

    async def audit_store(self) -> EventStore:
        store: EventStore = await self._once("audit_store", self.open_audit_store)
        return store

    async def workers_polling(self) -> list[str]:
        """Who polls the task queue for workflow tasks (the server remembers pollers for a
        minute)."""
        from temporalio.api.enums.v1 import TaskQueueType
        from temporalio.api.taskqueue.v1 import TaskQueue
        from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

        from workflows.call_policy import lost_in_transit, pauses

        client = await self.temporal()
        request = DescribeTaskQueueRequest(
            namespace=self.where.namespace, task_queue=TaskQueue(name=self.where.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
        waits = pauses()
        for _ in range(POLLERS_TRIES - 1):
            try:
                return _identities(await client.workflow_service.describe_task_queue(request))
            except Exception as error:
                if not lost_in_transit(error):
                    raise
            await asyncio.sleep(next(waits))
        return _identities(await client.workflow_service.describe_task_queue(request))

    async def require_worker(self) -> None:
        """Refuse early, recording nothing, when no worker would carry the command out.

        A long-lived context (a server's) asks again only once WORKER_SEEN_FOR has passed since
        it last saw one: a worker that went away since is caught by `worker_answers`."""
        now = asyncio.get_running_loop().time()
        if self._worker_seen_at is not None and now - self._worker_seen_at < WORKER_SEEN_FOR:
            return
        if not await self.workers_polling():
            raise unavailable(
                f"no worker polls task queue {self.where.task_queue!r} at "
                f"{self.where.temporal_address}: run `baton up` or `baton worker`")
        self._worker_seen_at = now

    @asynccontextmanager
    async def worker_answers(self, meanwhile: str = "") -> AsyncIterator[Budget]:
        """Around a call that a worker must answer: its budget is `answer_timeout`, which the
        call's every wait derives from; past it, gives up. `meanwhile` tells what becomes of the
        request then."""
        from workflows.call_policy import Budget

        budget = Budget.of(self.answer_timeout)
        try:
            async with (
                self.patience(f"waiting for a worker on task queue {self.where.task_queue!r}..."),
                asyncio.timeout_at(budget.deadline),
            ):
                yield budget
        except TimeoutError:
            raise unavailable(
                f"no worker answered on task queue {self.where.task_queue!r} within "
                f"{self.answer_timeout:g} s" + (f"; {meanwhile}" if meanwhile else "")) from None

    def refusal_of(self, error: BaseException) -> Rejected | None:
        """What a failure of Temporal or PostgreSQL means to a person; None for a bug. Imported
        only when something failed: a command that never reached Temporal loads none of it."""
        from workflows.call_policy import refusal_of

        return refusal_of(error, temporal_address=self.where.temporal_address,
                          db_schema=self.where.db_schema)

    async def close(self) -> None:
        opened, self._opened = self._opened, {}
        for name, resource in opened.items():
            if name not in ("temporal", "initiatives"):  # these hold no connection of their own
                with contextlib.suppress(Exception):
                    await resource.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.close()


def _identities(described: Any) -> list[str]:
    return [poller.identity for poller in described.pollers]


def use_case(
    function: Callable[Concatenate[Context, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Context, P], Coroutine[Any, Any, R]]:
    """Turns what the servers below raise while a use case runs into `Rejected`, so a door only
    ever handles `Rejected`. Its first argument is the Context."""

    async def run(context: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await function(context, *args, **kwargs)
        except Rejected:
            raise
        except Exception as error:
            refusal = context.refusal_of(error)
            if refusal is None:
                raise
            raise refusal from None

    functools.update_wrapper(run, function)
    return run
