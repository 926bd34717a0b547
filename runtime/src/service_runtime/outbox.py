"""Transactional outbox: record messages with the state change, publish them after commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope, Message
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.listen import Listener
from service_runtime.messaging_tables import NOTIFY_CHANNEL
from service_runtime.periodic import Periodic
from service_runtime.tracing import continued_trace, current_traceparent


async def record(
    session: AsyncConnection,
    outbox: Table,
    message: Message,
    *,
    correlation_id: str,
    causation_id: uuid.UUID | None = None,
) -> Envelope:
    """Add a message to the outbox inside the caller's transaction. The outbox's trigger wakes
    the relay if and when the transaction commits (`messaging_tables.NOTIFY_CHANNEL`)."""
    [envelope] = await record_all(
        session, outbox, [(message, correlation_id)], causation_id=causation_id
    )
    return envelope


async def record_all(
    session: AsyncConnection,
    outbox: Table,
    messages: Sequence[tuple[Message, str]],
    *,
    causation_id: uuid.UUID | None = None,
) -> list[Envelope]:
    """Add many (message, correlation id) pairs in one round trip: for bulk loads, which would
    spend most of their time on one INSERT per message."""
    traceparent = current_traceparent()
    envelopes = [
        Envelope.wrap(
            message,
            correlation_id=correlation_id,
            causation_id=causation_id,
            traceparent=traceparent,
        )
        for message, correlation_id in messages
    ]
    if not envelopes:
        return envelopes
    rows = [
        {
            "message_id": envelope.message_id,
            "message_type": envelope.message_type,
            "routing_key": message.routing_key,
            "correlation_id": envelope.correlation_id,
            "envelope": envelope.model_dump(mode="json"),
            "traceparent": envelope.traceparent,
        }
        for envelope, (message, _) in zip(envelopes, messages, strict=True)
    ]
    # One statement for every count of rows (a VALUES list built per call is compiled anew each
    # time); psycopg sends the rows in one round trip.
    await session.execute(insert(outbox), rows)
    return envelopes


def outbox_listener(
    database_url: str | URL, wake: Callable[[], None], *, retry_seconds: float
) -> Listener:
    """LISTEN for outbox commits, waking the relay on each and on every (re)connect (rows
    committed while not listening are only seen by a round). The process's other listeners
    share its connection (`Listener.also`)."""
    return Listener(
        "outbox-listen",
        database_url,
        NOTIFY_CHANNEL,
        lambda _: wake(),
        on_reconnect=wake,
        retry_seconds=retry_seconds,
    )


class OutboxRelay:
    """Publishes committed outbox rows in order of recording, then marks them sent.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas never publish the same row
    at the same time; a crash between publish and mark republishes (the inbox dedups).
    """

    def __init__(
        self,
        database: Database,
        outbox: Table,
        bus: Bus,
        *,
        poll_seconds: float,
        batch_size: int = 200,
        registry: CollectorRegistry | None = None,
        listen: bool = True,
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._bus = bus
        self._batch_size = batch_size
        unpublished = (
            select(outbox.c.id)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        # Claimed and marked in one statement, built once (a round per committed transaction).
        self._claim = (
            update(outbox)
            .where(outbox.c.id.in_(unpublished.scalar_subquery()))
            .values(published_at=func.now())
            .returning(outbox.c.id, outbox.c.routing_key, outbox.c.envelope)
        )
        self._relay = Periodic(
            "outbox-relay",
            self._publish_all,
            interval_seconds=poll_seconds,
            registry=registry,
            quiet=True,  # a round per committed transaction: too many to log
        )
        # Rows committed while not listening are only seen by a round: run one at once.
        # Without `listen`, the owner listens and calls `wake` (relay_thread.py).
        self.listener = (
            outbox_listener(database.engine.url, self.wake, retry_seconds=poll_seconds)
            if listen
            else None
        )

    def wake(self) -> None:
        """Publish now: something was committed to the outbox."""
        self._relay.wake()

    async def start(self) -> None:
        if self.listener is not None:
            self.listener.start()
        self._relay.start()

    async def stop(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
        await self._relay.stop()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        # The mark only commits once every message of the batch is confirmed by the broker (a
        # failure rolls it back, a crash never commits it).
        async with self._database.transaction() as session:
            claimed = (await session.execute(self._claim)).all()
            rows = sorted(claimed, key=lambda row: row.id)
            await asyncio.gather(*(self._publish(row.routing_key, row.envelope) for row in rows))
        return len(rows)

    async def _publish(self, routing_key: str, envelope: dict[str, Any]) -> None:
        with continued_trace(envelope.get("traceparent")):
            await self._bus.publish(routing_key, envelope)

    async def _publish_all(self) -> int:
        """Publish batches until one is not full; returns how many rows were published."""
        total = 0
        while True:
            published = await self.publish_pending()
            total += published
            if published < self._batch_size:
                return total
