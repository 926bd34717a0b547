"""Availability's core tables (studios, policies, weekly rules, blackouts, reservations, released
bookings, the runtime's outbox, inbox and user access changes) and the range conversions."""

from __future__ import annotations

from datetime import datetime

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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint, Range

from availability.domain.intervals import Interval
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
    Column("buffer_before_minutes", Integer, nullable=False, server_default="0"),
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


extra_hours = Table(
    "extra_hours",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid),
    Column("day", Date, nullable=False, comment="local date of the studio"),
    Column("opens", Time, nullable=False),
    Column("closes", Time, nullable=False, comment="00:00 is midnight at the end of the day"),
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
    Column("move_id", Uuid),
    Column("during", TSTZRANGE, nullable=False),
    # The reserved time with the studio's buffers before and after it: what the constraint
    # keeps apart.
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
    # Two reservations of one booking may overlap (a move and what it replaces); any other two
    # live ones may not. A person's hold has no booking: its own id stands for it.
    ExcludeConstraint(
        ("room_id", "="),
        ("blocks", "&&"),
        (text("coalesce(booking_id, id)"), "<>"),
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


def interval_of(value: Range[datetime]) -> Interval:
    assert value.lower is not None
    assert value.upper is not None
    return Interval(value.lower, value.upper)
