"""Outbox rows already published and inbox ids handled long ago are deleted after a retention
period, so both tables hold recent traffic rather than all of history; so are a service's own
deduplication records past the same period (Stripe event ids, webhook delivery ids).

The inbox only has to remember a message id for as long as the message can come back: a
redelivery after a crash (seconds), its retries (minutes) or an operator's replay of a dead
letter (docs/operations.md: replay within the retention). A published outbox row is only kept
for an operator reading what was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Column, CursorResult, Delete, Table, delete, func, select, tuple_

from service_runtime.db import Database
from service_runtime.periodic import Periodic

log = logging.getLogger(__name__)


class MessageRetention:
    """Every `every_seconds`, deletes what is older than `retention`, `batch_size` rows per
    transaction so a large backlog never holds long locks. Replicas may prune at the same time:
    a row deleted by one is simply not found by the other."""

    def __init__(
        self,
        database: Database,
        outbox: Table,
        inbox: Table,
        *,
        retention: timedelta,
        every_seconds: float,
        aged_by: Sequence[Column[Any]] = (),
        batch_size: int = 5000,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._inbox = inbox
        self._aged_by = aged_by  # a row of its table goes once this timestamp is past the retention
        self._retention = retention
        self._batch_size = batch_size
        self._loop = Periodic(
            "message-retention",
            self._prune_and_log,
            interval_seconds=every_seconds,
            registry=registry,
            quiet=True,  # _prune_and_log says what it deleted
        )

    async def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def prune(self) -> tuple[int, int]:
        """Delete what is past the retention; returns (outbox rows, inbox ids and other records)
        deleted."""
        outbox, inbox = self._outbox, self._inbox
        cutoff = func.now() - self._retention
        published = (
            select(outbox.c.id)
            .where(outbox.c.published_at < cutoff)
            .order_by(outbox.c.id)
            .limit(self._batch_size)
        )
        handled = (
            select(inbox.c.message_id, inbox.c.consumer)
            .where(inbox.c.handled_at < cutoff)
            .limit(self._batch_size)
        )
        outbox_rows = await self._delete_in_batches(
            delete(outbox).where(outbox.c.id.in_(published))
        )
        inbox_ids = await self._delete_in_batches(
            delete(inbox).where(tuple_(inbox.c.message_id, inbox.c.consumer).in_(handled))
        )
        for timestamp in self._aged_by:
            inbox_ids += await self._delete_in_batches(self._aged_rows(timestamp, cutoff))
        return outbox_rows, inbox_ids

    def _aged_rows(self, timestamp: Column[Any], cutoff: Any) -> Delete:
        table = timestamp.table
        key = tuple_(*table.primary_key.columns)
        aged = select(*table.primary_key.columns).where(timestamp < cutoff).limit(self._batch_size)
        return delete(table).where(key.in_(aged))

    async def _delete_in_batches(self, statement: Delete) -> int:
        total = 0
        while True:
            async with self._database.transaction() as session:
                result: CursorResult[Any] = await session.execute(statement)
                deleted = result.rowcount
            total += deleted
            if deleted < self._batch_size:
                return total

    async def _prune_and_log(self) -> int:
        outbox_rows, inbox_ids = await self.prune()
        if outbox_rows or inbox_ids:
            log.info(
                "pruned %d published outbox rows and %d handled message ids older than %s",
                outbox_rows,
                inbox_ids,
                self._retention,
            )
        return outbox_rows + inbox_ids
