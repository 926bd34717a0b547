"""Transactional outbox: record messages with the state change, publish them after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import psycopg
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope, Message
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.tracing import continued_trace, current_traceparent

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"


async def record(
    session: AsyncSession,
    outbox: Table,
    message: Message,
    *,
    correlation_id: str,
    causation_id: uuid.UUID | None = None,
) -> Envelope:
    """Add a message to the outbox inside the caller's transaction.

    NOTIFY is transactional: the relay is woken only if and when the transaction commits.
    """
    envelope = Envelope.wrap(
        message,
        correlation_id=correlation_id,
        causation_id=causation_id,
        traceparent=current_traceparent(),
    )
    await session.execute(
        insert(outbox).values(
            message_id=envelope.message_id,
            message_type=envelope.message_type,
            routing_key=message.routing_key,
            correlation_id=correlation_id,
            envelope=envelope.model_dump(mode="json"),
            traceparent=envelope.traceparent,
        )
    )
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return envelope


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
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._bus = bus
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="outbox-listen"),
            asyncio.create_task(self._relay(), name="outbox-relay"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        outbox = self._outbox
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(outbox.c.id, outbox.c.routing_key, outbox.c.envelope)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            await asyncio.gather(*(self._publish(row.routing_key, row.envelope) for row in rows))
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=func.now())
            )
        return len(rows)

    async def _publish(self, routing_key: str, envelope: dict[str, Any]) -> None:
        with continued_trace(envelope.get("traceparent")):
            await self._bus.publish(routing_key, envelope)

    async def _relay(self) -> None:
        while True:
            try:
                while await self.publish_pending() == self._batch_size:
                    pass
            except Exception:
                log.exception("outbox relay failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    async def _listen(self) -> None:
        url = make_url(self._database.engine.url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._wake.set()  # rows may have been committed while not listening
                    async for _ in connection.notifies():
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox listener lost its connection; reconnecting", exc_info=True)
                await asyncio.sleep(self._poll_seconds)
