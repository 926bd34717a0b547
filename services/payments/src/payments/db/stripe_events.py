"""Stripe events, stored as they arrive and processed once after, and the reconciliation's cursor.

An event is stored by its id (ON CONFLICT DO NOTHING), so a repeated delivery adds nothing; the
processor leases unprocessed ones for a while and marks each processed in the transaction that
applies it, so a crash anywhere leaves the event to be processed again, and never twice.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Float,
    Index,
    Integer,
    Select,
    Table,
    Text,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningUpdate
from sqlalchemy.sql.selectable import FromClause, ScalarSelect

from payments.db.base import insert_or_nothing, metadata
from payments.db.payments import booking_trace, payments
from payments.provider import ProviderEvent
from service_runtime.db import DriverStatement

log = logging.getLogger(__name__)

stripe_events = Table(
    "stripe_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False, comment="when Stripe created it"),
    Column("source", Text, nullable=False, comment="webhook or reconciliation"),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("payload", JSONB, comment="the event in our words (payments.provider.ProviderEvent)"),
    Column("processed_at", DateTime(timezone=True)),
    Column("leased_until", DateTime(timezone=True), comment="a processor has it until then"),
    Column("attempts", Integer, nullable=False, server_default="0", comment="failed handlings"),
    Column("failed_at", DateTime(timezone=True), comment="given up on: an operator retries it"),
    Column("last_error", Text),
)
Index(
    "stripe_events_unprocessed",
    stripe_events.c.created,
    postgresql_where=stripe_events.c.processed_at.is_(None),
)
# What the retention deletes by (`aged_by` in app.py): a week of events, found without reading
# them all at every prune.
Index("stripe_events_processed", stripe_events.c.processed_at)

reconciliation_cursors = Table(
    "reconciliation_cursors",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False, comment="unix time of Stripe's newest event"),
)

_EVENT = TypeAdapter(ProviderEvent)

# Every payment's events are stored, taken and marked processed: compiled once and run on the
# driver (`DriverStatement`).
_STORED_COLUMNS = ("event_id", "event_type", "created", "source", "payload")
_STORE = insert_or_nothing(stripe_events, _STORED_COLUMNS, returning="event_id")
# Not bound as "event_id": UPDATE keeps its columns' names for the values it sets.
_MARKING = (
    update(stripe_events)
    .where(stripe_events.c.event_id == bindparam("id_"), stripe_events.c.processed_at.is_(None))
    .values(processed_at=func.now())
)
_MARK_PROCESSED = DriverStatement(_MARKING.returning(stripe_events.c.event_id))
_STORED_AMONG = select(stripe_events.c.event_id).where(
    stripe_events.c.event_id == func.any(bindparam("ids", type_=ARRAY(Text)))
)


def _stored(event: ProviderEvent, source: str) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "event_type": event.type,
        "created": event.created,
        "source": source,
        "payload": _EVENT.dump_python(event, mode="json"),
    }


async def store_event(session: AsyncConnection, event: ProviderEvent, source: str) -> bool:
    """False when this event was stored before (whether or not it is processed yet)."""
    return await _STORE.first(session, _stored(event, source)) is not None


async def store_processed_in_trace(
    session: AsyncConnection, event: ProviderEvent, source: str
) -> tuple[str | None] | None:
    """Store the event marked processed, for this transaction to apply it, with the trace of
    its booking (as `mark_processed_in_trace`); None when it was stored before."""
    parameters = _stored(event, source) | {"intent_ref": event.intent_ref}
    row = await _STORE_PROCESSED_IN_TRACE.first(session, parameters)
    return None if row is None else (row.traceparent,)


async def claim_event(
    session: AsyncConnection, *, lease_seconds: float
) -> tuple[ProviderEvent, str | None, bool] | None:
    """The oldest unprocessed event nobody holds, locked until commit and leased for a while
    (so it stays taken should it be processed after this transaction), with the trace of the
    booking it concerns and whether another event waits too, in one statement; another replica
    skips it. An event whose payload no longer reads is logged and marked processed, and the
    next one taken."""
    lease = {"lease_seconds": lease_seconds}
    while (row := await _CLAIM_ONE.first(session, lease)) is not None:
        try:
            return _EVENT.validate_python(row.payload), row.traceparent, row.more_due
        except ValidationError as error:
            log.error("stored Stripe event %s unreadable, skipped: %s", row.event_id, error)
            await mark_processed(session, row.event_id)
    return None


def _claim_one() -> ReturningUpdate[Any]:
    lease_seconds = bindparam("lease_seconds", type_=Float)
    due = (
        _waiting(stripe_events)
        .order_by(stripe_events.c.created, stripe_events.c.received_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    other = stripe_events.alias()
    more_due = _waiting(other).where(other.c.event_id != stripe_events.c.event_id).exists()
    return (
        update(stripe_events)
        .where(stripe_events.c.event_id.in_(due.scalar_subquery()))
        .values(leased_until=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, lease_seconds))
        .returning(
            stripe_events.c.event_id,
            stripe_events.c.payload,
            _booking_traceparent(_named_intent()).label("traceparent"),
            more_due.label("more_due"),
        )
    )


def _waiting(events: FromClause) -> Select[Any]:
    """Events not processed, not given up on, and held by nobody."""
    return select(events.c.event_id).where(
        events.c.processed_at.is_(None),
        events.c.failed_at.is_(None),
        func.coalesce(events.c.leased_until, func.now()) <= func.now(),
    )


def _named_intent() -> ColumnElement[Any]:
    """The PaymentIntent a stored event names, as `ProviderEvent.intent_ref` reads it."""
    payload = stripe_events.c.payload
    return func.coalesce(
        *(func.nullif(payload[(part, "intent_ref")].astext, "") for part in _NAMING_INTENT)
    )


def _booking_traceparent(intent_ref: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The trace of the booking of a PaymentIntent (the stored event's row stays the
    statement's own, not a table of the subquery)."""
    of_intent = (
        select(payments.c.booking_id)
        .where(payments.c.intent_ref == intent_ref)
        .correlate_except(payments)
        .scalar_subquery()
    )
    return booking_trace(of_intent)


_NAMING_INTENT = ("intent", "charge", "dispute")
_CLAIM_ONE = DriverStatement(_claim_one())
_MARK_PROCESSED_IN_TRACE = DriverStatement(
    _MARKING.returning(_booking_traceparent(_named_intent()).label("traceparent"))
)
# The event stored already processed, for the transaction that applies it as it arrives.
_STORE_PROCESSED_IN_TRACE = DriverStatement(
    pg_insert(stripe_events)
    .values(**{name: bindparam(name) for name in _STORED_COLUMNS}, processed_at=func.now())
    .on_conflict_do_nothing()
    .returning(_booking_traceparent(bindparam("intent_ref", type_=Text)).label("traceparent"))
)


async def mark_processed(session: AsyncConnection, event_id: str) -> bool:
    """Mark the event processed, locking it until commit; False when it already was (another
    processor whose lease ran out got there first)."""
    return await _MARK_PROCESSED.first(session, {"id_": event_id}) is not None


async def mark_processed_in_trace(
    session: AsyncConnection, event_id: str
) -> tuple[str | None] | None:
    """As `mark_processed`, with the trace of the booking the event concerns (as `claim_event`
    reads it); None when the event already was processed."""
    row = await _MARK_PROCESSED_IN_TRACE.first(session, {"id_": event_id})
    return None if row is None else (row.traceparent,)


async def record_failure(
    session: AsyncConnection,
    event_id: str,
    error: str,
    *,
    max_attempts: int,
    retry_in_seconds: float,
) -> bool:
    """Count a failed handling of the event and take it again in `retry_in_seconds` (its claim
    rolled back with the handling); True when that was its last allowed attempt and it is now
    marked failed: left for an operator to retry (README)."""
    attempts = stripe_events.c.attempts + 1
    result = await session.execute(
        update(stripe_events)
        .where(stripe_events.c.event_id == event_id, stripe_events.c.processed_at.is_(None))
        .values(
            attempts=attempts,
            last_error=error,
            leased_until=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, retry_in_seconds),
            failed_at=case((attempts >= max_attempts, func.now()), else_=None),
        )
        .returning(stripe_events.c.failed_at)
    )
    failed_at = result.scalar()
    return failed_at is not None


async def stored_among(session: AsyncConnection, event_ids: list[str]) -> set[str]:
    """Which of these events are stored already."""
    rows = await session.scalars(_STORED_AMONG, {"ids": event_ids})
    return set(rows)


async def cursor_position(session: AsyncConnection, name: str) -> int | None:
    return await session.scalar(
        select(reconciliation_cursors.c.position).where(reconciliation_cursors.c.name == name)
    )


async def move_cursor(session: AsyncConnection, name: str, position: int) -> None:
    statement = pg_insert(reconciliation_cursors).values(name=name, position=position)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "position": func.greatest(
                    reconciliation_cursors.c.position, statement.excluded.position
                )
            },
        )
    )
