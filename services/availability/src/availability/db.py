"""Availability's tables and the queries over them.

Two live reservations of one room never overlap: the `reservations_no_overlap` exclusion
constraint refuses them, whatever the application checked before.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    Time,
    Uuid,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from availability.domain.holds import PersonsHolds
from availability.domain.intervals import Interval
from availability.domain.reservations import LIVE_STATUSES, Reservation, ReservationStatus
from availability.domain.schedule import Blackout, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio
from contracts.catalog import StudioStatus
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()

studios = Table(
    "studios",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("room_ids", ARRAY(Uuid), nullable=False),
    Column("status", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

booking_policies = Table(
    "booking_policies",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("slot_minutes", Integer, nullable=False),
    Column("min_notice_minutes", Integer, nullable=False),
    Column("max_advance_days", Integer, nullable=False),
    Column("buffer_minutes", Integer, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

weekly_rules = Table(
    "weekly_rules",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid),
    Column("weekday", SmallInteger, nullable=False),
    Column("opens", Time, nullable=False),
    Column("closes", Time, nullable=False),
)

blackouts = Table(
    "blackouts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid),
    Column("first_day", Date),
    Column("last_day", Date),
    Column("starts_at", DateTime(timezone=True)),
    Column("ends_at", DateTime(timezone=True)),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False),
    Column("room_id", Uuid, nullable=False),
    Column("booking_id", Uuid),
    Column("held_by", Text),
    Column("during", TSTZRANGE, nullable=False),
    # The reserved time plus the studio's buffer after it: what the constraint keeps apart.
    Column("blocks", TSTZRANGE, nullable=False),
    Column("status", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "status IN ('held', 'booked', 'released', 'expired')", name="reservations_status"
    ),
    # A hold is a person's (placed over HTTP) or a booking's (placed by the saga), never both.
    CheckConstraint("held_by IS NULL OR booking_id IS NULL", name="reservations_person_or_booking"),
    ExcludeConstraint(
        ("room_id", "="),
        ("blocks", "&&"),
        name="reservations_no_overlap",
        using="gist",
        where=text("status IN ('held', 'booked')"),
    ),
    Index("reservations_booking", "booking_id"),
    Index("reservations_studio", "studio_id"),
    Index("reservations_held_expiry", "expires_at", postgresql_where=text("status = 'held'")),
    Index(
        "reservations_person", "held_by", "created_at", postgresql_where=text("held_by IS NOT NULL")
    ),
)

# Bookings whose saga released their reservations: a booking ends there and never holds again,
# so a HoldSlots that arrives late (redelivered, retried, reordered) cannot bring a hold back.
released_bookings = Table(
    "released_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("released_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


def tstz_range(interval: Interval) -> Range[datetime]:
    return Range(interval.start, interval.end, bounds="[)")


def _interval(value: Range[datetime]) -> Interval:
    assert value.lower is not None
    assert value.upper is not None
    return Interval(value.lower, value.upper)


# Studios (read model of catalog's events)


def _studio(row: Any) -> Studio:
    return Studio(
        id=row.id,
        owner_id=row.owner_id,
        timezone=row.timezone,
        room_ids=frozenset(row.room_ids),
        status=StudioStatus(row.status),
        revision=row.revision,
    )


async def studio_by_id(session: AsyncSession, studio_id: uuid.UUID) -> Studio | None:
    row = (await session.execute(select(studios).where(studios.c.id == studio_id))).first()
    return _studio(row) if row else None


async def upsert_studio(session: AsyncSession, studio: Studio) -> bool:
    """Store the studio unless a newer revision is there already; False when it was older."""
    values = {
        "owner_id": studio.owner_id,
        "timezone": studio.timezone,
        "room_ids": sorted(studio.room_ids),
        "status": studio.status.value,
        "revision": studio.revision,
    }
    inserting = pg_insert(studios).values(id=studio.id, **values)
    upsert = inserting.on_conflict_do_update(
        index_elements=[studios.c.id],
        set_={**values, "updated_at": func.now()},
        where=studios.c.revision < inserting.excluded.revision,
    )
    return (await session.execute(upsert.returning(studios.c.id))).first() is not None


# Booking policy, weekly rules, blackouts


async def policy_of(session: AsyncSession, studio_id: uuid.UUID) -> BookingPolicy:
    """The studio's policy; the defaults until its owner sets one."""
    row = (
        await session.execute(
            select(booking_policies).where(booking_policies.c.studio_id == studio_id)
        )
    ).first()
    if row is None:
        return BookingPolicy()
    return BookingPolicy(
        slot_minutes=row.slot_minutes,
        min_notice_minutes=row.min_notice_minutes,
        max_advance_days=row.max_advance_days,
        buffer_minutes=row.buffer_minutes,
    )


async def save_policy(session: AsyncSession, studio_id: uuid.UUID, policy: BookingPolicy) -> None:
    values = {
        "slot_minutes": policy.slot_minutes,
        "min_notice_minutes": policy.min_notice_minutes,
        "max_advance_days": policy.max_advance_days,
        "buffer_minutes": policy.buffer_minutes,
    }
    statement = pg_insert(booking_policies).values(studio_id=studio_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[booking_policies.c.studio_id],
            set_={
                **values,
                "version": booking_policies.c.version + 1,
                "updated_at": func.now(),
            },
        )
    )


async def rules_of(session: AsyncSession, studio_id: uuid.UUID) -> list[WeeklyRule]:
    rows = await session.execute(
        select(weekly_rules)
        .where(weekly_rules.c.studio_id == studio_id)
        .order_by(
            weekly_rules.c.room_id.nulls_first(), weekly_rules.c.weekday, weekly_rules.c.opens
        )
    )
    return [
        WeeklyRule(weekday=row.weekday, opens=row.opens, closes=row.closes, room_id=row.room_id)
        for row in rows
    ]


async def replace_rules(
    session: AsyncSession, studio_id: uuid.UUID, rules: Sequence[WeeklyRule]
) -> None:
    await session.execute(delete(weekly_rules).where(weekly_rules.c.studio_id == studio_id))
    if rules:
        await session.execute(
            insert(weekly_rules),
            [
                {
                    "id": uuid.uuid4(),
                    "studio_id": studio_id,
                    "room_id": rule.room_id,
                    "weekday": rule.weekday,
                    "opens": rule.opens,
                    "closes": rule.closes,
                }
                for rule in rules
            ],
        )


def _blackout(row: Any) -> Blackout:
    return Blackout(
        id=row.id,
        room_id=row.room_id,
        first_day=row.first_day,
        last_day=row.last_day,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reason=row.reason,
    )


async def blackouts_of(
    session: AsyncSession,
    studio_id: uuid.UUID,
    *,
    touching: tuple[date, date] | None = None,
) -> list[Blackout]:
    """The studio's blackouts; with `touching`, only those that may touch those local dates."""
    query = select(blackouts).where(blackouts.c.studio_id == studio_id)
    if touching is not None:
        first, last = touching
        query = query.where(
            or_(
                and_(blackouts.c.last_day >= first, blackouts.c.first_day <= last),
                and_(
                    func.date(blackouts.c.ends_at) >= first,
                    func.date(blackouts.c.starts_at) <= last,
                ),
            )
        )
    rows = await session.execute(query.order_by(blackouts.c.created_at))
    return [_blackout(row) for row in rows]


async def add_blackout(session: AsyncSession, studio_id: uuid.UUID, blackout: Blackout) -> None:
    await session.execute(
        insert(blackouts).values(
            id=blackout.id,
            studio_id=studio_id,
            room_id=blackout.room_id,
            first_day=blackout.first_day,
            last_day=blackout.last_day,
            starts_at=blackout.starts_at,
            ends_at=blackout.ends_at,
            reason=blackout.reason,
        )
    )


async def remove_blackout(
    session: AsyncSession, studio_id: uuid.UUID, blackout_id: uuid.UUID
) -> bool:
    result = await session.execute(
        delete(blackouts)
        .where(blackouts.c.studio_id == studio_id, blackouts.c.id == blackout_id)
        .returning(blackouts.c.id)
    )
    return result.first() is not None


async def blackout_count(session: AsyncSession, studio_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(blackouts).where(blackouts.c.studio_id == studio_id)
    )
    return int(count or 0)


# Serializing changes that count before they add


async def lock(session: AsyncSession, key: str) -> None:
    """Hold a lock on `key` until the transaction ends, across every replica."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


# Reservations


def reservation_of(row: Any) -> Reservation:
    during = _interval(row.during)
    return Reservation(
        id=row.id,
        studio_id=row.studio_id,
        room_id=row.room_id,
        booking_id=row.booking_id,
        during=during,
        buffer=_interval(row.blocks).end - during.end,
        status=ReservationStatus(row.status),
        expires_at=row.expires_at,
        version=row.version,
        held_by=row.held_by,
        confirmed_at=row.confirmed_at,
        created_at=row.created_at,
    )


def live_at(now: datetime) -> Any:
    """The condition of a reservation that blocks its room at `now`: booked, or held unexpired."""
    return or_(
        reservations.c.status == ReservationStatus.BOOKED.value,
        and_(
            reservations.c.status == ReservationStatus.HELD.value,
            reservations.c.expires_at > now,
        ),
    )


async def add_reservation(session: AsyncSession, reservation: Reservation) -> None:
    """Insert; raises IntegrityError (an ExclusionViolation) when a live one overlaps."""
    await session.execute(
        insert(reservations).values(
            id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            booking_id=reservation.booking_id,
            held_by=reservation.held_by,
            during=tstz_range(reservation.during),
            blocks=tstz_range(reservation.blocks),
            status=reservation.status.value,
            expires_at=reservation.expires_at,
            version=reservation.version,
            created_at=reservation.created_at or func.now(),
        )
    )


async def reservation_by_id(session: AsyncSession, reservation_id: uuid.UUID) -> Reservation | None:
    row = (
        await session.execute(select(reservations).where(reservations.c.id == reservation_id))
    ).first()
    return reservation_of(row) if row else None


async def held_or_booked_for(session: AsyncSession, booking_id: uuid.UUID) -> list[Reservation]:
    """A booking's reservations that still count (held, lapsed or not, and booked)."""
    rows = await session.execute(
        select(reservations).where(
            reservations.c.booking_id == booking_id,
            reservations.c.status.in_([status.value for status in LIVE_STATUSES]),
        )
    )
    return [reservation_of(row) for row in rows]


async def mark_released(session: AsyncSession, booking_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        pg_insert(released_bookings)
        .values(booking_id=booking_id, released_at=now)
        .on_conflict_do_nothing(index_elements=[released_bookings.c.booking_id])
    )


async def was_released(session: AsyncSession, booking_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(released_bookings.c.booking_id).where(released_bookings.c.booking_id == booking_id)
    )
    return found is not None


async def holds_of_person(
    session: AsyncSession, person: str, now: datetime, window: timedelta
) -> PersonsHolds:
    """A person's live holds, and the holds they placed in the `window` before now."""
    of_person = reservations.c.held_by == person
    live = and_(
        reservations.c.status == ReservationStatus.HELD.value, reservations.c.expires_at > now
    )
    recent = reservations.c.created_at > now - window
    row = (
        await session.execute(
            select(
                func.count().filter(live).label("live"),
                func.min(reservations.c.expires_at).filter(live).label("first_to_lapse"),
                func.count().filter(recent).label("recent"),
                func.min(reservations.c.created_at).filter(recent).label("first_recent"),
            ).where(of_person, or_(live, recent))
        )
    ).one()
    return PersonsHolds(
        live=row.live,
        first_to_lapse=row.first_to_lapse,
        recent=row.recent,
        first_recent=row.first_recent,
    )


async def live_in_room(
    session: AsyncSession, room_id: uuid.UUID, window: Interval, now: datetime
) -> list[Reservation]:
    """The room's live reservations whose blocked time touches the window."""
    rows = await session.execute(
        select(reservations).where(
            reservations.c.room_id == room_id,
            reservations.c.blocks.overlaps(tstz_range(window)),
            live_at(now),
        )
    )
    return [reservation_of(row) for row in rows]


async def live_in_studio(
    session: AsyncSession, studio_id: uuid.UUID, window: Interval, now: datetime
) -> list[Reservation]:
    rows = await session.execute(
        select(reservations)
        .where(
            reservations.c.studio_id == studio_id,
            reservations.c.during.overlaps(tstz_range(window)),
            live_at(now),
        )
        .order_by(func.lower(reservations.c.during), reservations.c.room_id)
    )
    return [reservation_of(row) for row in rows]


async def expire_lapsed_overlapping(
    session: AsyncSession, room_id: uuid.UUID, blocks: Interval, now: datetime
) -> list[Reservation]:
    """Turn lapsed holds in the way of `blocks` EXPIRED, so the constraint stops seeing them."""
    rows = await session.execute(
        update(reservations)
        .where(
            reservations.c.room_id == room_id,
            reservations.c.status == ReservationStatus.HELD.value,
            reservations.c.expires_at <= now,
            reservations.c.blocks.overlaps(tstz_range(blocks)),
        )
        .values(
            status=ReservationStatus.EXPIRED.value,
            version=reservations.c.version + 1,
            updated_at=func.now(),
        )
        .returning(*reservations.c)
    )
    return [reservation_of(row) for row in rows]


async def claim_lapsed_holds(session: AsyncSession, now: datetime, limit: int) -> list[Reservation]:
    """Lapsed holds locked for this transaction; rows another replica holds are skipped."""
    rows = await session.execute(
        select(reservations)
        .where(
            reservations.c.status == ReservationStatus.HELD.value,
            reservations.c.expires_at <= now,
        )
        .order_by(reservations.c.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [reservation_of(row) for row in rows]


async def change_status(
    session: AsyncSession,
    reservation: Reservation,
    status: ReservationStatus,
    *,
    confirmed_at: datetime | None = None,
) -> bool:
    """Compare-and-set on the version: False when someone changed the reservation first."""
    values: dict[str, Any] = {
        "status": status.value,
        "version": reservation.version + 1,
        "updated_at": func.now(),
    }
    if status is ReservationStatus.BOOKED:
        values.update(expires_at=None, confirmed_at=confirmed_at)
    result = await session.execute(
        update(reservations)
        .where(reservations.c.id == reservation.id, reservations.c.version == reservation.version)
        .values(**values)
        .returning(reservations.c.id)
    )
    return result.first() is not None
