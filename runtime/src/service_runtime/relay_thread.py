"""The outbox relay on a thread of its own, with its own event loop, database connection and
broker connection.

On the process's loop the relay competes with every request and message handler: once the
loop is busy, a round of publishing waits behind them while more rows are committed, rounds
grow, and commit-to-publish latency climbs to seconds (bench/outbox_latency.py: ~2 s at p50
with 8 busy producers). On its own thread it gets its share of the interpreter whatever the
loop is doing. Units of work on the process's loop hand it what they committed (`send`)
across the threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry
from sqlalchemy import Table

from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.outbox import OutboxRelay, Recorded


class RelayThread:
    """Runs an `OutboxRelay` over its own connections on a thread; `start` returns once it is
    publishing (or raises why it could not start), `stop` once the thread has ended."""

    def __init__(
        self,
        database_url: str,
        outbox: Table,
        make_bus: Callable[[], Bus],
        *,
        poll_seconds: float,
        sweep_after_seconds: float = 10.0,
        registry: CollectorRegistry | None = None,
        prepared_statements: bool = True,
    ) -> None:
        self._database_url = database_url
        self._prepared_statements = prepared_statements
        self._outbox = outbox
        self._make_bus = make_bus
        self._poll_seconds = poll_seconds
        self._sweep_after_seconds = sweep_after_seconds
        self._registry = registry
        self._loop: asyncio.AbstractEventLoop | None = None
        self._relay: OutboxRelay | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def send(self, recorded: Sequence[Recorded]) -> None:
        """From the process's loop: publish what a transaction recorded and has committed. Not
        running, the relay leaves it to a sweep."""
        loop, relay = self._loop, self._relay
        if loop is not None and relay is not None:
            # A stopping thread may close its loop at any moment. The caller's transaction has
            # committed and must not fail now: what the thread no longer takes is the sweep's.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(relay.send, recorded)

    async def start(self) -> None:
        started: concurrent.futures.Future[None] = concurrent.futures.Future()
        loop_kind = type(asyncio.get_running_loop())
        self._thread = threading.Thread(
            target=self._run, args=(loop_kind, started), name="outbox-relay", daemon=True
        )
        self._thread.start()
        await asyncio.wrap_future(started)

    async def stop(self) -> None:
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            await asyncio.to_thread(thread.join)

    def _run(
        self,
        loop_kind: Callable[[], asyncio.AbstractEventLoop],
        started: concurrent.futures.Future[None],
    ) -> None:
        # The thread's loop is of the process's kind: uvloop under uvicorn, on which the relay
        # spends about a tenth less CPU per message than on asyncio's own loop (measured).
        with asyncio.Runner(loop_factory=loop_kind) as runner:
            runner.run(self._serve(started))

    async def _serve(self, started: concurrent.futures.Future[None]) -> None:
        # One round at a time: one connection is all the relay ever uses.
        database = Database(
            self._database_url,
            pool_size=1,
            max_overflow=0,
            prepared_statements=self._prepared_statements,
        )
        bus = self._make_bus()
        relay = OutboxRelay(
            database,
            self._outbox,
            bus,
            poll_seconds=self._poll_seconds,
            sweep_after_seconds=self._sweep_after_seconds,
            registry=self._registry,
        )
        try:
            await bus.start()
            await relay.start()
        except BaseException as error:
            started.set_exception(error)
            with contextlib.suppress(Exception):
                await bus.stop()
            await database.dispose()
            return
        self._stopping = asyncio.Event()
        self._relay = relay
        self._loop = asyncio.get_running_loop()
        started.set_result(None)
        try:
            await self._stopping.wait()
        finally:
            self._loop = None
            await relay.stop()
            await bus.stop()
            await database.dispose()
