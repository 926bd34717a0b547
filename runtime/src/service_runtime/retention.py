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
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import (
    Column,
    CursorResult,
    Delete,
    Select,
    Table,
    bindparam,
    delete,
    func,
    select,
    tuple_,
)

from service_runtime.db import Database
from service_runtime.periodic import Periodic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pruned:
    """What one prune deleted: outbox rows, inbox ids, and rows of each `aged_by` table."""

    outbox_rows: int
    inbox_ids: int
    aged: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.outbox_rows + self.inbox_ids + sum(self.aged.values())


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

    async def prune(self) -> Pruned:
        """Delete what is past the retention; returns how much of each went."""
        cutoff = func.now() - self._retention
        outbox_rows = await self._prune_outbox()
        inbox_ids = await self._delete_in_batches(
            delete(self._inbox).where(
                tuple_(self._inbox.c.message_id, self._inbox.c.consumer).in_(
                    handled_before(self._inbox, self._retention, self._batch_size)
                )
            )
        )
        aged = {
            timestamp.table.name: await self._delete_in_batches(self._aged_rows(timestamp, cutoff))
            for timestamp in self._aged_by
        }
        return Pruned(outbox_rows, inbox_ids, aged)

    async def _prune_outbox(self) -> int:
        walk = outbox_walk(self._outbox, self._retention, self._batch_size)
        total, after = 0, 0
        while True:
            async with self._database.transaction() as session:
                row = (await session.execute(walk, {"after": after})).one()
            total += int(row.deleted)
            if row.read < self._batch_size or not row.more:
                return total
            after = row.last_id

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
        pruned = await self.prune()
        if pruned.total:
            # Each table by name: an operator tells history aged out (emails sent, Stripe
            # events) from what waited that long for nothing (notifications' waiting events).
            aged = "".join(f", {count} of {table}" for table, count in pruned.aged.items() if count)
            log.info(
                "pruned %d published outbox rows, %d handled message ids%s: older than %s",
                pruned.outbox_rows,
                pruned.inbox_ids,
                aged,
                self._retention,
            )
        return pruned.total


def handled_before(inbox: Table, retention: timedelta, batch_size: int) -> Select[Any]:
    """The keys of a batch of inbox ids handled longer than `retention` ago, read from the
    index on `handled_at` (`inbox_handled_at`)."""
    return (
        select(inbox.c.message_id, inbox.c.consumer)
        .where(inbox.c.handled_at < func.now() - retention)
        .limit(batch_size)
    )


def outbox_walk(outbox: Table, retention: timedelta, batch_size: int) -> Select[Any]:
    """One step of the outbox's prune: the next `batch_size` rows after the id `after`, of which
    those published longer than `retention` ago are deleted; returns how many were deleted,
    read, the last id read and whether the batch was all recorded before the cutoff (more may
    follow).

    The ids are about the order the rows were recorded in, so the walk ends with the first
    batch that reaches rows recorded since the cutoff, and a prune with nothing to delete reads
    one batch. (An index on `published_at` would cost every mark an index entry.) An
    unpublished row stays, however old."""
    cutoff = func.now() - retention
    batch = (
        select(outbox.c.id, outbox.c.published_at, outbox.c.created_at)
        .where(outbox.c.id > bindparam("after"))
        .order_by(outbox.c.id)
        .limit(batch_size)
        .cte("batch")
    )
    aged = (
        delete(outbox)
        .where(outbox.c.id.in_(select(batch.c.id).where(batch.c.published_at < cutoff)))
        .returning(outbox.c.id)
        .cte("aged")
    )
    return select(
        select(func.count()).select_from(aged).scalar_subquery().label("deleted"),
        select(func.count()).select_from(batch).scalar_subquery().label("read"),
        select(func.max(batch.c.id)).scalar_subquery().label("last_id"),
        select(func.max(batch.c.created_at) < cutoff).scalar_subquery().label("more"),
    )
