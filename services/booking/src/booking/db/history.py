"""Bookings' histories (every step of the saga, what was sent, who acted), on PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Select,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert, ReturningUpdate

from booking.db.tables import booking_events, bookings
from booking.repositories import HistoryEntry

# Built once: every saga step runs them (a statement built per call costs more CPU than its
# round trip).
_ADD = insert(booking_events)
ENTRY_COLUMNS = (
    "kind",
    "name",
    "status_before",
    "status_after",
    "note",
    "message_id",
    "causation_id",
    "traceparent",
    "actor_id",
    "occurred_at",
)
_ADDED_COLUMNS = ("booking_id", *(name for name in ENTRY_COLUMNS if name != "occurred_at"))
_WRITTEN_COLUMNS = _ADDED_COLUMNS[1:]  # the booking's id comes from the row written
HISTORY_PARAMETER = "history_"
_WRITTEN_ROWS = (
    func.json_to_recordset(cast(bindparam(HISTORY_PARAMETER, type_=Text), JSON))
    .table_valued(*(column(name, booking_events.c[name].type) for name in _WRITTEN_COLUMNS))
    .render_derived(name="entry", with_types=True)
)
_OF_BOOKING = (
    select(booking_events)
    .where(booking_events.c.booking_id == bindparam("booking_id"))
    .order_by(booking_events.c.id)
)


HISTORY_JSON = (
    select(
        func.coalesce(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(*(booking_events.c[name] for name in ENTRY_COLUMNS)),
                    booking_events.c.id,
                )
            ),
            literal_column("'[]'::json"),
        )
    )
    .where(booking_events.c.booking_id == bookings.c.id)
    .scalar_subquery()
)
"""A booking's history as one JSON array (of `ENTRY_COLUMNS` arrays), to read with the
booking in one statement; `entries_of_json` reads it back."""


def with_history(written: ReturningInsert[Any] | ReturningUpdate[Any]) -> Select[Any]:
    """`written`, an INSERT or UPDATE of one booking returning its `id` and `notified`, and
    the step's history rows (the `HISTORY_PARAMETER`, `history_json`) in one statement, which
    returns `notified`: no round trip of their own, and none is added when no booking is
    written (a failed version check)."""
    booking = written.cte("written")
    rows = select(booking.c.id, *(_WRITTEN_ROWS.c[name] for name in _WRITTEN_COLUMNS)).select_from(
        booking.join(_WRITTEN_ROWS, true())
    )
    history = insert(booking_events).from_select(_ADDED_COLUMNS, rows).cte("history")
    return select(booking.c.notified).add_cte(history)


def history_json(entries: Sequence[HistoryEntry]) -> str:
    """The entries as `with_history` takes them."""
    return json.dumps(
        [
            {
                name: str(value) if isinstance(value, uuid.UUID) else value
                for name in _WRITTEN_COLUMNS
                if (value := getattr(entry, name)) is not None
            }
            for entry in entries
        ]
    )


def entries_of_json(booking_id: uuid.UUID, rows: list[list[Any]]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            booking_id=booking_id,
            kind=kind,
            name=name,
            status_before=status_before,
            status_after=status_after,
            note=note,
            message_id=_uuid(message_id),
            causation_id=_uuid(causation_id),
            traceparent=traceparent,
            actor_id=actor_id,
            occurred_at=datetime.fromisoformat(occurred_at),
        )
        for (
            kind,
            name,
            status_before,
            status_after,
            note,
            message_id,
            causation_id,
            traceparent,
            actor_id,
            occurred_at,
        ) in rows
    ]


def _uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


class SqlHistory:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, entry: HistoryEntry) -> None:
        await self.add_all([entry])

    async def add_all(self, entries: list[HistoryEntry]) -> None:
        """One round trip for a step's entries (what happened and what it sent)."""
        if entries:
            # Not dataclasses.asdict, which deep-copies every value (a share of each step's CPU).
            rows = [{name: getattr(e, name) for name in _ADDED_COLUMNS} for e in entries]
            await self._session.execute(_ADD, rows)

    async def of_booking(self, booking_id: uuid.UUID) -> list[HistoryEntry]:
        rows = await self._session.execute(_OF_BOOKING, {"booking_id": booking_id})
        return [
            HistoryEntry(
                booking_id=row.booking_id,
                kind=row.kind,
                name=row.name,
                status_before=row.status_before,
                status_after=row.status_after,
                note=row.note,
                message_id=row.message_id,
                causation_id=row.causation_id,
                traceparent=row.traceparent,
                actor_id=row.actor_id,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ]
