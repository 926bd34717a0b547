"""Booking's tables and the queries over them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    and_,
    false,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.booking import ENDED, HAPPENED, LIVE, Booking, Status, View
from booking.domain.pricing import PriceBreakdown
from booking.domain.studios import Room, Studio
from contracts.booking import CancellationReason, CancelledBy, FailureReason
from contracts.catalog import StudioStatus
from contracts.payments import CaptureStrategy, DisputeOutcome
from contracts.values import CancellationPolicy
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

NOTIFY_CHANNEL = "booking_changed"

metadata = MetaData()


def _ts(name: str, **kwargs: Any) -> Column[Any]:
    return Column(name, DateTime(timezone=True), **kwargs)


studios = Table(
    "studios",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("hourly_price_minor", BigInteger, nullable=False),
    Column("minimum_hours", Integer, nullable=False),
    Column("cancellation_policy", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("rooms", JSONB, nullable=False),
    _ts("updated_at", nullable=False, server_default=func.now()),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False, index=True),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid, nullable=False),
    _ts("starts_at", nullable=False),
    _ts("ends_at", nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    _ts("deadline_at"),
    Column("command_sends", Integer, nullable=False, server_default="0"),
    _ts("command_sent_at"),
    # the price snapshot
    Column("hourly_price_minor", BigInteger, nullable=False),
    Column("hours", Integer, nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False),
    Column("platform_fee_percent", Numeric(5, 2), nullable=False),
    Column("platform_fee_minor", BigInteger, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("cancellation_policy", Text, nullable=False),
    _ts("requested_at", nullable=False),
    Column("reservation_id", Uuid),
    _ts("hold_expires_at"),
    Column("payment_id", Uuid),
    Column("client_secret", Text),
    Column("capture_strategy", Text),
    _ts("authorized_at"),
    _ts("captured_at"),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("payment_error", Text),
    _ts("confirmed_at"),
    _ts("completed_at"),
    Column("failure_reason", Text),
    Column("failure_detail", Text),
    Column("cancelled_by", Text),
    Column("cancellation_reason", Text),
    Column("refund_minor", BigInteger),
    _ts("ended_at"),
    Column("status_before_dispute", Text),
    Column("dispute_outcome", Text),
    Column("traceparent", Text),  # of the request: deadlines continue the booking's trace
    _ts("updated_at", nullable=False, server_default=func.now()),
)
Index("bookings_due", bookings.c.deadline_at, postgresql_where=bookings.c.deadline_at.isnot(None))

booking_events = Table(
    "booking_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("booking_id", Uuid, ForeignKey("bookings.id"), nullable=False, index=True),
    _ts("occurred_at", nullable=False, server_default=func.now()),
    Column("kind", Text, nullable=False),  # received, sent, action, timer
    Column("name", Text, nullable=False),
    Column("status_before", Text),
    Column("status_after", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("message_id", Uuid),
    Column("causation_id", Uuid),
    Column("traceparent", Text),
    Column("actor_id", Text),
)

booking_messages = Table(
    "booking_messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booking_id", Uuid, ForeignKey("bookings.id"), nullable=False, index=True),
    Column("author_id", Uuid, nullable=False),
    Column("author_role", Text, nullable=False),
    Column("body", Text, nullable=False),
    _ts("sent_at", nullable=False, server_default=func.now()),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("booking_id", Uuid, nullable=False),
    _ts("created_at", nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


class ConcurrentUpdate(Exception):
    """Another transaction changed the booking since it was loaded."""


# --- studios ----------------------------------------------------------------------------


async def upsert_studio(session: AsyncSession, studio: Studio) -> bool:
    """Keep the studio's highest revision; False when this one is not newer."""
    values = {
        "studio_id": studio.studio_id,
        "revision": studio.revision,
        "owner_id": studio.owner_id,
        "name": studio.name,
        "timezone": studio.timezone,
        "currency": studio.currency,
        "hourly_price_minor": studio.hourly_price_minor,
        "minimum_hours": studio.minimum_hours,
        "cancellation_policy": studio.cancellation_policy.value,
        "status": studio.status.value,
        "rooms": [
            {
                "room_id": str(room.room_id),
                "hourly_price_minor": room.hourly_price_minor,
                "name": room.name,
            }
            for room in studio.rooms
        ],
    }
    statement = pg_insert(studios).values(values)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[studios.c.studio_id],
            set_={**{k: statement.excluded[k] for k in values}, "updated_at": func.now()},
            where=studios.c.revision < statement.excluded.revision,
        ).returning(studios.c.studio_id)
    )
    return result.first() is not None


def _studio(row: Any) -> Studio:
    return Studio(
        studio_id=row.studio_id,
        revision=row.revision,
        owner_id=row.owner_id,
        name=row.name,
        timezone=row.timezone,
        currency=row.currency,
        hourly_price_minor=row.hourly_price_minor,
        minimum_hours=row.minimum_hours,
        cancellation_policy=CancellationPolicy(row.cancellation_policy),
        status=StudioStatus(row.status),
        rooms=tuple(
            Room(uuid.UUID(room["room_id"]), room["hourly_price_minor"], room.get("name"))
            for room in row.rooms
        ),
    )


async def studio_by_id(session: AsyncSession, studio_id: uuid.UUID) -> Studio | None:
    row = (await session.execute(select(studios).where(studios.c.studio_id == studio_id))).first()
    return None if row is None else _studio(row)


async def studios_by_id(
    session: AsyncSession, studio_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Studio]:
    """The read model's studios with these ids, in one query (a page of bookings names them)."""
    wanted = set(studio_ids)
    if not wanted:
        return {}
    rows = await session.execute(select(studios).where(studios.c.studio_id.in_(wanted)))
    return {row.studio_id: _studio(row) for row in rows}


# --- bookings ---------------------------------------------------------------------------

_PRICE_FIELDS = [f.name for f in fields(PriceBreakdown)]
_ENUMS: dict[str, Any] = {
    "status": Status,
    "status_before_dispute": Status,
    "cancellation_policy": CancellationPolicy,
    "capture_strategy": CaptureStrategy,
    "failure_reason": FailureReason,
    "cancelled_by": CancelledBy,
    "cancellation_reason": CancellationReason,
    "dispute_outcome": DisputeOutcome,
}


def _row_values(booking: Booking) -> dict[str, Any]:
    values = {f.name: getattr(booking, f.name) for f in fields(Booking) if f.name != "price"}
    values.update(asdict(booking.price))
    return values


def _booking(row: Any) -> Booking:
    data = row._mapping
    values: dict[str, Any] = {}
    for f in fields(Booking):
        if f.name == "price":
            continue
        value = data[f.name]
        if value is not None and f.name in _ENUMS:
            value = _ENUMS[f.name](value)
        values[f.name] = value
    price = PriceBreakdown(**{name: data[name] for name in _PRICE_FIELDS})
    return Booking(price=price, **values)


async def _notify(session: AsyncSession, booking_id: uuid.UUID) -> None:
    """Wake the waiters of this booking, in any replica, once the transaction commits."""
    await session.execute(
        text("SELECT pg_notify(:channel, :id)"), {"channel": NOTIFY_CHANNEL, "id": str(booking_id)}
    )


async def add_booking(
    session: AsyncSession, booking: Booking, *, traceparent: str | None
) -> Booking:
    added = replace(booking, version=1)
    await session.execute(
        insert(bookings).values({**_row_values(added), "traceparent": traceparent})
    )
    await _notify(session, booking.id)
    return added


async def save_booking(session: AsyncSession, booking: Booking) -> Booking:
    """Store a changed booking if nobody changed it since it was loaded (its version)."""
    values = _row_values(booking)
    values.pop("id")
    values["version"] = booking.version + 1
    result = await session.execute(
        update(bookings)
        .where(bookings.c.id == booking.id, bookings.c.version == booking.version)
        .values(**values, updated_at=func.now())
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConcurrentUpdate(booking.id)
    await _notify(session, booking.id)
    return replace(booking, version=booking.version + 1)


async def booking_by_id(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    row = (await session.execute(select(bookings).where(bookings.c.id == booking_id))).first()
    return _booking(row) if row else None


async def claim_due_booking(
    session: AsyncSession, now: datetime
) -> tuple[uuid.UUID, str | None] | None:
    """A booking whose deadline passed, locked so that no other replica fires it too."""
    row = (
        await session.execute(
            select(bookings.c.id, bookings.c.traceparent)
            .where(bookings.c.deadline_at <= now)
            .order_by(bookings.c.deadline_at)
            .limit(1)
            # NO KEY UPDATE: history rows of the booking (a foreign key to it) may still be added.
            .with_for_update(skip_locked=True, key_share=True)
        )
    ).first()
    return (row.id, row.traceparent) if row else None


@dataclass(frozen=True)
class BookingQuery:
    """Whose bookings, with which status and starting in which range, which page.

    `booker_id` and `owner_id` (bookings of the studios they own) are or-ed; with neither,
    nothing matches unless `everyone` (an admin's list).
    """

    booker_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    everyone: bool = False
    statuses: tuple[Status, ...] = ()
    view: View | None = None
    now: datetime | None = None
    """The instant `view` is judged at (upcoming or past)."""
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    limit: int = 50
    offset: int = 0


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


async def list_bookings(session: AsyncSession, query: BookingQuery) -> tuple[list[Booking], int]:
    """A page of bookings and how many match in all: by start time, the soonest first, but
    the latest first for the past and cancelled views."""
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
        conditions.append(_view_condition(query.view, query.now or datetime.now(UTC)))
    if query.starts_from is not None:
        conditions.append(bookings.c.starts_at >= query.starts_from)
    if query.starts_before is not None:
        conditions.append(bookings.c.starts_at < query.starts_before)
    total = await session.scalar(select(func.count()).select_from(bookings).where(*conditions))
    latest_first = query.view in (View.PAST, View.CANCELLED)
    order = (
        (bookings.c.starts_at.desc(), bookings.c.id.desc())
        if latest_first
        else (bookings.c.starts_at, bookings.c.id)
    )
    rows = await session.execute(
        select(bookings).where(*conditions).order_by(*order).limit(query.limit).offset(query.offset)
    )
    return [_booking(row) for row in rows], int(total or 0)


async def upcoming_live_bookings(
    session: AsyncSession, studio_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    """The studio's bookings that are still to take place and not over."""
    rows = await session.scalars(
        select(bookings.c.id).where(
            bookings.c.studio_id == studio_id,
            bookings.c.starts_at > now,
            bookings.c.status.in_(_values(LIVE)),
        )
    )
    return list(rows)


async def studio_owner(session: AsyncSession, studio_id: uuid.UUID) -> uuid.UUID | None:
    owner: uuid.UUID | None = await session.scalar(
        select(studios.c.owner_id).where(studios.c.studio_id == studio_id)
    )
    return owner


# --- history, messages, idempotency keys ------------------------------------------------


async def add_history(session: AsyncSession, booking_id: uuid.UUID, **values: Any) -> None:
    await session.execute(insert(booking_events).values(booking_id=booking_id, **values))


async def sent_command_type(
    session: AsyncSession, booking_id: uuid.UUID, message_id: uuid.UUID
) -> str | None:
    """The type of the message this booking's saga sent with this id, if it sent one."""
    name: str | None = await session.scalar(
        select(booking_events.c.name).where(
            booking_events.c.booking_id == booking_id,
            booking_events.c.kind == "sent",
            booking_events.c.message_id == message_id,
        )
    )
    return name


async def history(session: AsyncSession, booking_id: uuid.UUID) -> list[Any]:
    rows = await session.execute(
        select(booking_events)
        .where(booking_events.c.booking_id == booking_id)
        .order_by(booking_events.c.id)
    )
    return list(rows)


async def add_message(session: AsyncSession, **values: Any) -> Any:
    row = (
        await session.execute(insert(booking_messages).values(**values).returning(booking_messages))
    ).one()
    return row


async def count_messages(session: AsyncSession, booking_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(booking_messages)
        .where(booking_messages.c.booking_id == booking_id)
    )
    return int(count or 0)


async def messages_of(
    session: AsyncSession, booking_id: uuid.UUID, *, limit: int, offset: int
) -> list[Any]:
    rows = await session.execute(
        select(booking_messages)
        .where(booking_messages.c.booking_id == booking_id)
        .order_by(booking_messages.c.sent_at, booking_messages.c.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def claim_idempotency_key(
    session: AsyncSession, *, user_id: str, key: str, request_hash: str, booking_id: uuid.UUID
) -> tuple[uuid.UUID, str]:
    """The booking and request hash stored under the key: ours if it was free, else the first."""
    inserted = (
        await session.execute(
            pg_insert(idempotency_keys)
            .values(user_id=user_id, key=key, request_hash=request_hash, booking_id=booking_id)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.booking_id)
        )
    ).first()
    if inserted is not None:
        return booking_id, request_hash
    row = (
        await session.execute(
            select(idempotency_keys.c.booking_id, idempotency_keys.c.request_hash).where(
                idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key
            )
        )
    ).one()
    return row.booking_id, row.request_hash
