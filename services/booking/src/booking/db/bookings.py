"""Bookings on PostgreSQL: optimistic concurrency by version, and a NOTIFY with every change
that wakes whoever waits on the booking (booking.changes), in any replica, once it commits."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields, replace
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.changes import BookingChange
from booking.db.history import (
    HISTORY_JSON,
    HISTORY_PARAMETER,
    entries_of_json,
    history_json,
    with_history,
)
from booking.db.studios import studio_of
from booking.db.tables import NOTIFY_CHANNEL, booking_events, bookings, studios
from booking.domain.booking import (
    ENDED,
    HAPPENED,
    LIVE,
    Booking,
    Move,
    RequestAnswer,
    Status,
    View,
)
from booking.domain.pricing import AddOnLine, PriceBreakdown
from booking.repositories import (
    BookingQuery,
    BookingStamp,
    BookingView,
    ConcurrentUpdate,
    HistoryEntry,
)
from contracts.booking import CancellationReason, CancelledBy, FailureReason
from contracts.catalog import AddOnPricing
from contracts.payments import CaptureStrategy, DisputeOutcome
from contracts.values import CancellationPolicy
from service_runtime.db import DriverStatement

_PRICE_FIELDS = [f.name for f in fields(PriceBreakdown)]
_MOVE_FIELDS = [f.name for f in fields(Move)]
_NESTED = ("price", "move")
_ENUMS: dict[str, Any] = {
    "status": Status,
    "status_before_dispute": Status,
    "cancellation_policy": CancellationPolicy,
    "capture_strategy": CaptureStrategy,
    "failure_reason": FailureReason,
    "cancelled_by": CancelledBy,
    "cancellation_reason": CancellationReason,
    "dispute_outcome": DisputeOutcome,
    "request_answer": RequestAnswer,
}


# Built once: every saga step loads and saves a booking, and building a statement over the
# booking's ~70 columns costs more CPU than its round trip. A change's NOTIFY is its RETURNING:
# sent for the row written (none when the version check fails), with no round trip of its own.
# They run on the driver (`DriverStatement`): SQLAlchemy's execution around a row this wide costs
# more CPU than the statement itself.
_NOTIFIED = func.pg_notify(NOTIFY_CHANNEL, bindparam("change"))
_BY_ID = DriverStatement(select(bookings).where(bookings.c.id == bindparam("booking_id")))
_SENT_COMMAND = (
    select(booking_events.c.name)
    .where(
        booking_events.c.booking_id == bindparam("booking_id"),
        booking_events.c.kind == "sent",
        booking_events.c.message_id == bindparam("command_id"),
    )
    .scalar_subquery()
)
_REPLIED_TO = DriverStatement(
    select(bookings, _SENT_COMMAND.label("sent_command")).where(
        bookings.c.id == bindparam("booking_id")
    )
)
_STAMP = DriverStatement(
    select(
        bookings.c.version,
        bookings.c.booker_id,
        bookings.c.owner_id,
        studios.c.owner_id.label("studio_owner_id"),
    )
    .select_from(bookings.outerjoin(studios, studios.c.studio_id == bookings.c.studio_id))
    .where(bookings.c.id == bindparam("booking_id"))
)
_CLAIM_DUE = DriverStatement(  # the deadlines' loop, every few moments
    select(bookings.c.id, bookings.c.traceparent)
    .where(bookings.c.deadline_at <= bindparam("now"))
    .order_by(bookings.c.deadline_at)
    .limit(1)
    # NO KEY UPDATE: history rows of the booking (a foreign key to it) may still be added.
    .with_for_update(skip_locked=True, key_share=True)
)
_NULL_UNLESS_GIVEN = frozenset(
    c.name for c in bookings.c if c.nullable and c.server_default is None
)
"""Columns a new booking may leave out when None: the insert names only the others."""
_STUDIO = "studio__"  # the prefix of the studio's columns in a view's row
_VIEWED = DriverStatement(
    select(
        bookings,
        *(column.label(_STUDIO + column.name) for column in studios.c),
        HISTORY_JSON.label("history"),
    )
    .select_from(bookings.outerjoin(studios, studios.c.studio_id == bookings.c.studio_id))
    .where(bookings.c.id == bindparam("booking_id"))
)


# A statement per set of columns written, built once: a step writes the few columns it changed,
# and a new booking leaves out what it has not got yet. Each is a handful of parameters rather
# than ~70, which psycopg would adapt one by one, and past 50 of which it would not cache the
# statement's conversion (MAX_CACHED_STATEMENT_PARAMS): about 5% of booking's CPU under load.
@functools.cache
def _adding(columns: tuple[str, ...]) -> DriverStatement:
    """The INSERT of these columns, with the history of the step (`with_history`)."""
    written = insert(bookings).values({c: bindparam(c) for c in columns})
    return DriverStatement(
        with_history(written.returning(bookings.c.id, _NOTIFIED.label("notified")))
    )


@functools.cache
def _saving(columns: tuple[str, ...]) -> DriverStatement:
    """The version-checked UPDATE of these columns, with the history of the step: none is
    written when the version check fails."""
    written = (
        update(bookings)
        .where(bookings.c.id == bindparam("id_"), bookings.c.version == bindparam("loaded"))
        .values({**{column: bindparam(column) for column in columns}, "updated_at": func.now()})
    )
    return DriverStatement(
        with_history(written.returning(bookings.c.id, _NOTIFIED.label("notified")))
    )


class SqlBookings:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def get(self, booking_id: uuid.UUID) -> Booking | None:
        row = await _BY_ID.first(self._session, {"booking_id": booking_id})
        return _booking(row._asdict()) if row else None

    async def replied_to(
        self, booking_id: uuid.UUID, command_id: uuid.UUID
    ) -> tuple[Booking, str | None] | None:
        params = {"booking_id": booking_id, "command_id": command_id}
        row = await _REPLIED_TO.first(self._session, params)
        return (_booking(row._asdict()), row.sent_command) if row else None

    async def viewed(self, booking_id: uuid.UUID) -> BookingView | None:
        row = await _VIEWED.first(self._session, {"booking_id": booking_id})
        if row is None:
            return None
        values = row._asdict()
        booking = _booking(values)
        studio = (
            None
            if values[_STUDIO + "studio_id"] is None
            else studio_of(SimpleNamespace(**{c.name: values[_STUDIO + c.name] for c in studios.c}))
        )
        return BookingView(booking, studio, entries_of_json(booking.id, row.history))

    async def stamp(self, booking_id: uuid.UUID) -> BookingStamp | None:
        row = await _STAMP.first(self._session, {"booking_id": booking_id})
        return BookingStamp(**row._asdict()) if row else None

    async def add(
        self,
        booking: Booking,
        *,
        traceparent: str | None,
        history: Sequence[HistoryEntry] = (),
    ) -> Booking:
        added = replace(booking, version=1)
        values = {
            column: value
            for column, value in {**_row_values(added), "traceparent": traceparent}.items()
            if value is not None or column not in _NULL_UNLESS_GIVEN
        }
        await _adding(tuple(values)).rows(
            self._session,
            {**values, "change": _change(added), HISTORY_PARAMETER: history_json(history)},
        )
        return added

    async def save(
        self, booking: Booking, loaded: Booking, history: Sequence[HistoryEntry] = ()
    ) -> Booking:
        """Store a change of the booking as `loaded` if nobody changed it since (its version),
        writing only the columns that differ, and the step's history in the same statement."""
        saved = replace(booking, version=loaded.version + 1)
        before = _row_values(loaded)
        values = {
            column: value for column, value in _row_values(saved).items() if value != before[column]
        }
        parameters = {
            **values,
            "id_": loaded.id,
            "loaded": loaded.version,
            "change": _change(saved),
            HISTORY_PARAMETER: history_json(history),
        }
        if await _saving(tuple(values)).first(self._session, parameters) is None:
            raise ConcurrentUpdate(booking.id)
        return saved

    async def claim_due(self, now: datetime) -> tuple[uuid.UUID, str | None] | None:
        row = await _CLAIM_DUE.first(self._session, {"now": now})
        return (row.id, row.traceparent) if row else None

    async def page(self, query: BookingQuery) -> tuple[list[Booking], int]:
        """By start time, the soonest first, but the latest first for the past and cancelled
        views."""
        conditions = _conditions(query)
        total = await self._session.scalar(
            select(func.count()).select_from(bookings).where(*conditions)
        )
        latest_first = query.view in (View.PAST, View.CANCELLED)
        order = (
            (bookings.c.starts_at.desc(), bookings.c.id.desc())
            if latest_first
            else (bookings.c.starts_at, bookings.c.id)
        )
        rows = await self._session.execute(
            select(bookings)
            .where(*conditions)
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        )
        return [_booking(row._mapping) for row in rows], int(total or 0)

    async def upcoming_live(self, studio_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        """The studio's bookings that are still to take place and not over."""
        rows = await self._session.scalars(
            select(bookings.c.id).where(
                bookings.c.studio_id == studio_id,
                bookings.c.starts_at > now,
                bookings.c.status.in_(_values(LIVE)),
            )
        )
        return list(rows)


def _change(booking: Booking) -> str:
    return BookingChange.of(booking).payload()


def _conditions(query: BookingQuery) -> list[Any]:
    conditions: list[Any] = []
    mine = []
    if query.booker_id is not None:
        mine.append(bookings.c.booker_id == query.booker_id)
    if query.owner_id is not None:
        owned = select(studios.c.studio_id).where(studios.c.owner_id == query.owner_id)
        mine.append(bookings.c.studio_id.in_(owned))
    if mine:
        conditions.append(or_(*mine))
    elif not query.everyone:
        conditions.append(false())
    if query.statuses:
        conditions.append(bookings.c.status.in_(_values(query.statuses)))
    if query.view is not None:
        assert query.now is not None, "a view is judged at an instant"
        conditions.append(_view_condition(query.view, query.now))
    if query.starts_from is not None:
        conditions.append(bookings.c.starts_at >= query.starts_from)
    if query.starts_before is not None:
        conditions.append(bookings.c.starts_at < query.starts_before)
    return conditions


def _values(statuses: Iterable[Status]) -> list[str]:
    return [status.value for status in statuses]


def _view_condition(view: View, now: datetime) -> Any:
    if view is View.UPCOMING:
        return and_(bookings.c.status.in_(_values(LIVE)), bookings.c.ends_at > now)
    if view is View.PAST:
        return and_(
            bookings.c.status.not_in(_values(ENDED)),
            or_(bookings.c.status.in_(_values(HAPPENED)), bookings.c.ends_at <= now),
        )
    return bookings.c.status.in_(_values(ENDED))


def _row_values(booking: Booking) -> dict[str, Any]:
    values = {f.name: getattr(booking, f.name) for f in fields(Booking) if f.name not in _NESTED}
    values.update(asdict(booking.price))
    values["add_ons"] = _add_ons_json(booking.price)
    move = booking.move
    for name in _MOVE_FIELDS:
        value = None if move is None else getattr(move, name)
        values[f"move_{name}"] = _price_json(value) if isinstance(value, PriceBreakdown) else value
    return values


def _add_ons_json(price: PriceBreakdown) -> list[dict[str, Any]]:
    return [{**asdict(line), "add_on_id": str(line.add_on_id)} for line in price.add_ons]


def _price_json(price: PriceBreakdown) -> dict[str, Any]:
    return asdict(price) | {
        "platform_fee_percent": str(price.platform_fee_percent),
        "add_ons": _add_ons_json(price),
    }


def _price_of_json(data: dict[str, Any]) -> PriceBreakdown:
    return PriceBreakdown(
        **data
        | {
            "platform_fee_percent": Decimal(data["platform_fee_percent"]),
            "add_ons": tuple(_add_on_line(line) for line in data["add_ons"]),
        }
    )


def _add_on_line(data: dict[str, Any]) -> AddOnLine:
    return AddOnLine(
        **data
        | {"add_on_id": uuid.UUID(data["add_on_id"]), "pricing": AddOnPricing(data["pricing"])}
    )


def _booking(data: Mapping[Any, Any]) -> Booking:
    values: dict[str, Any] = {}
    for f in fields(Booking):
        if f.name in _NESTED:
            continue
        value = data[f.name]
        if value is not None and f.name in _ENUMS:
            value = _ENUMS[f.name](value)
        if f.name == "move_payment_ids":
            value = tuple(value)
        values[f.name] = value
    price = PriceBreakdown(
        **{name: data[name] for name in _PRICE_FIELDS}
        | {"add_ons": tuple(_add_on_line(line) for line in data["add_ons"])}
    )
    move = None
    if data["move_id"] is not None:
        moved = {name: data[f"move_{name}"] for name in _MOVE_FIELDS}
        move = Move(**moved | {"price": _price_of_json(moved["price"])})
    return Booking(price=price, move=move, **values)
