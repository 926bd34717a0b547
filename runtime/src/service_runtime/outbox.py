"""Transactional outbox: record messages with the state change, publish them after commit.

A unit of work hands what it recorded to the relay once it has committed, and the relay
publishes it at once: no round trip to find it, and no NOTIFY. Marking rows published waits
for a batch (`mark_after_seconds`), one statement for many. What a process never handed over or
never published (it died after the commit, the broker was away) is found by the relay's sweep of
rows left unpublished for `sweep_after_seconds`. Delivery is at least once either way: a crash
between publish and mark publishes again, and the inbox drops the repeat.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, LiteralString

from prometheus_client import CollectorRegistry
from psycopg.types.json import Jsonb
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope, Message
from service_runtime.bus import Bus
from service_runtime.db import Database, driver_of
from service_runtime.periodic import Periodic
from service_runtime.tracing import continued_trace, current_traceparent

log = logging.getLogger(__name__)

_TIMER_SLACK_SECONDS = 0.05


@dataclass(frozen=True)
class Recorded:
    """A message recorded in the outbox: its row, and the envelope the relay publishes."""

    id: int
    routing_key: str
    envelope: Envelope
    body: dict[str, Any]
    """The envelope as stored, and as published."""


@functools.cache
def _recording(table_name: str) -> LiteralString:
    return (
        f"INSERT INTO {table_name} (message_id, message_type, routing_key, correlation_id,"
        " envelope, traceparent) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
    )


async def record(
    session: AsyncConnection,
    outbox: Table,
    message: Message,
    *,
    correlation_id: str,
    causation_id: uuid.UUID | None = None,
) -> Envelope:
    """Add a message to the outbox inside the caller's transaction. Unless the caller hands
    it to the relay after the commit (`UnitsOfWork` does), the relay's sweep publishes it."""
    [recorded] = await record_all(
        session, outbox, [(message, correlation_id)], causation_id=causation_id
    )
    return recorded.envelope


@dataclass(frozen=True)
class Outgoing:
    """A message in the envelope it is to be published in, not recorded yet (`wrap_all`)."""

    message: Message
    envelope: Envelope


def wrap_all(
    messages: Sequence[tuple[Message, str]], *, causation_id: uuid.UUID | None = None
) -> list[Outgoing]:
    """Each (message, correlation id) pair in its envelope, as `record_all` records it: for a
    statement that names the messages before they are recorded (`record_outgoing`)."""
    traceparent = current_traceparent()
    return [
        Outgoing(
            message,
            Envelope.wrap(
                message,
                correlation_id=correlation_id,
                causation_id=causation_id,
                traceparent=traceparent,
            ),
        )
        for message, correlation_id in messages
    ]


async def record_all(
    session: AsyncConnection,
    outbox: Table,
    messages: Sequence[tuple[Message, str]],
    *,
    causation_id: uuid.UUID | None = None,
) -> list[Recorded]:
    """Add many (message, correlation id) pairs in one round trip: for bulk loads, which would
    spend most of their time on one INSERT per message."""
    return await record_outgoing(session, outbox, wrap_all(messages, causation_id=causation_id))


async def record_outgoing(
    session: AsyncConnection, outbox: Table, outgoing: Sequence[Outgoing]
) -> list[Recorded]:
    """Add messages already in their envelopes (`wrap_all`), in one round trip."""
    if not outgoing:
        return []
    bodies = [each.envelope.model_dump(mode="json") for each in outgoing]
    rows = [
        (
            each.envelope.message_id,
            each.envelope.message_type,
            each.message.routing_key,
            each.envelope.correlation_id,
            Jsonb(body),
            each.envelope.traceparent,
        )
        for each, body in zip(outgoing, bodies, strict=True)
    ]
    # On the driver (`driver_of`): every published message runs this. Many rows go in one
    # round trip (a pipeline), each row's id in its own result, in order; one row alone skips
    # the pipeline, which costs more than the row.
    ids: list[int] = []
    async with (await driver_of(session)).cursor() as cursor:
        if len(rows) == 1:
            await cursor.execute(_recording(outbox.fullname), rows[0])
        else:
            await cursor.executemany(_recording(outbox.fullname), rows, returning=True)
        while True:
            ids.extend(row_id for (row_id,) in await cursor.fetchall())
            if not cursor.nextset():
                break
    return [
        Recorded(row_id, each.message.routing_key, each.envelope, body)
        for row_id, each, body in zip(ids, outgoing, bodies, strict=True)
    ]


class OutboxRelay:
    """Publishes what units of work hand over after their commits (`send`), and sweeps up rows
    left unpublished; marks published rows in batches.

    The sweep claims rows with FOR UPDATE SKIP LOCKED, so replicas never sweep the same row at
    the same time, and only rows older than `sweep_after_seconds`, which the process that
    recorded them has had time to publish and mark.
    """

    def __init__(
        self,
        database: Database,
        outbox: Table,
        bus: Bus,
        *,
        poll_seconds: float,
        sweep_after_seconds: float = 10.0,
        mark_after_seconds: float = 0.5,
        batch_size: int = 200,
        registry: CollectorRegistry | None = None,
    ) -> None:
        """`poll_seconds`: how often the sweep looks; `mark_after_seconds`: how long published
        rows may wait to be marked, in one statement with those published meanwhile."""
        self._database = database
        self._outbox = outbox
        self._bus = bus
        self._poll_seconds = poll_seconds
        self._mark_after_seconds = mark_after_seconds
        self._batch_size = batch_size
        self._handed: list[Recorded] = []
        self._published: list[int] = []
        self._mark_due = self._sweep_due = 0.0
        unpublished = (
            select(outbox.c.id)
            .where(
                outbox.c.published_at.is_(None),
                outbox.c.created_at < func.now() - timedelta(seconds=sweep_after_seconds),
            )
            .order_by(outbox.c.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        # Claimed and marked in one statement, built once.
        self._claim = (
            update(outbox)
            .where(outbox.c.id.in_(unpublished.scalar_subquery()))
            .values(published_at=func.now())
            .returning(outbox.c.id, outbox.c.routing_key, outbox.c.envelope)
        )
        # Another replica's sweep may have marked some first: their time stays.
        self._mark = (
            update(outbox)
            .where(
                outbox.c.id == func.any(bindparam("ids", type_=ARRAY(BIGINT))),
                outbox.c.published_at.is_(None),
            )
            .values(published_at=func.now())
        )
        # Woken by each hand-over, by a timer when a batch of published rows is due to be
        # marked, and else only to sweep: an idle relay sleeps between sweeps.
        self._relay = Periodic(
            "outbox-relay",
            self._round,
            interval_seconds=poll_seconds,
            registry=registry,
            quiet=True,  # a round per committed transaction: too many to log
        )

    def send(self, recorded: Sequence[Recorded]) -> None:
        """Publish now what a transaction recorded and has committed."""
        self._handed.extend(recorded)
        self._relay.wake()

    async def start(self) -> None:
        self._relay.start()

    async def stop(self) -> None:
        """Stop after marking what was published (a stop in the middle of a round leaves its
        rows to the sweep of the next start)."""
        await self._relay.stop()
        if self._published:
            try:
                await self._mark_published()
            except Exception:
                log.warning("outbox: %d published rows left unmarked", len(self._published))

    async def publish_pending(self) -> int:
        """Sweep one batch of rows left unpublished; returns how many were published."""
        # The mark only commits once every message of the batch is confirmed by the broker (a
        # failure rolls it back, a crash never commits it).
        async with self._database.transaction() as session:
            claimed = (await session.execute(self._claim)).all()
            rows = sorted(claimed, key=lambda row: row.id)
            await asyncio.gather(*(self._publish(row.routing_key, row.envelope) for row in rows))
        return len(rows)

    async def _round(self) -> int:
        """Publish what was handed over, mark when due, sweep when due; how many were
        published."""
        published = await self._publish_handed()
        # A loop's timer may wake it a moment before the clock says the time has come.
        now = time.monotonic() + _TIMER_SLACK_SECONDS
        if self._published and (len(self._published) >= self._batch_size or now >= self._mark_due):
            await self._mark_published()
        if now >= self._sweep_due:
            self._sweep_due = now + self._poll_seconds
            published += await self._sweep()
        return published

    async def _publish_handed(self) -> int:
        handed, self._handed = self._handed, []
        if not handed:
            return 0
        outcomes = await asyncio.gather(
            *(self._publish(row.routing_key, row.body) for row in handed),
            return_exceptions=True,
        )
        if not self._published:
            self._mark_due = time.monotonic() + self._mark_after_seconds
            asyncio.get_running_loop().call_later(self._mark_after_seconds, self._relay.wake)
        self._published.extend(
            row.id for row, outcome in zip(handed, outcomes, strict=True) if outcome is None
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):  # the rest are the sweep's
                raise outcome
        return len(handed)

    async def _mark_published(self) -> None:
        ids = list(self._published)
        async with self._database.one_statement() as session:
            await session.execute(self._mark, {"ids": ids})
        del self._published[: len(ids)]

    async def _sweep(self) -> int:
        """Publish batches until one is not full; returns how many rows were published."""
        total = 0
        while True:
            published = await self.publish_pending()
            total += published
            if published < self._batch_size:
                return total

    async def _publish(self, routing_key: str, envelope: dict[str, Any]) -> None:
        with continued_trace(envelope.get("traceparent")):
            await self._bus.publish(routing_key, envelope)
