"""The statements of the reservations repository, compiled once and run on the driver
(`DriverStatement`): every saga command runs some, and SQLAlchemy's execution around each costs
more CPU than its round trip. Values come as named parameters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, array

from availability.db.tables import released_bookings, reservations
from availability.domain.reservations import LIVE_STATUSES, ReservationStatus
from service_runtime.db import DriverStatement, written


def live_at(now: Any) -> Any:
    """The condition of a reservation that blocks its room at `now`: booked, or held unexpired."""
    return or_(
        reservations.c.status == ReservationStatus.BOOKED.value,
        and_(
            reservations.c.status == ReservationStatus.HELD.value,
            reservations.c.expires_at > now,
        ),
    )


LOCK = DriverStatement(
    select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key", type_=String), 0)))
)

# No conflict target: the exclusion constraint is the arbiter, so a row that would overlap a
# live one is skipped and no id comes back.
ADD_RESERVATION = DriverStatement(
    text(
        "INSERT INTO reservations (id, studio_id, room_id, booking_id, held_by, move_id, during,"
        " blocks, status, expires_at, version, created_at)"
        " VALUES (:id, :studio_id, :room_id, :booking_id, :held_by, :move_id, :during, :blocks,"
        " :status, :expires_at, :version, coalesce(:created_at, now()))"
        " ON CONFLICT DO NOTHING RETURNING id"
    ).bindparams(bindparam("during", type_=TSTZRANGE), bindparam("blocks", type_=TSTZRANGE))
)

BY_ID = DriverStatement(select(reservations).where(reservations.c.id == bindparam("id")))

OF_MOVE = DriverStatement(
    select(reservations).where(
        reservations.c.booking_id == bindparam("booking_id"),
        reservations.c.move_id == bindparam("move_id"),
    )
)

LAST_RELEASED = DriverStatement(
    select(reservations.c.id)
    .where(
        reservations.c.booking_id == bindparam("booking_id"),
        reservations.c.id != bindparam("other_than"),
        reservations.c.status == ReservationStatus.RELEASED.value,
    )
    .order_by(reservations.c.updated_at.desc())
    .limit(1)
)

# = ANY(ARRAY[...]): an IN list is expanded at each execution, by SQLAlchemy.
_COUNTS = reservations.c.status == any_(array([status.value for status in LIVE_STATUSES]))
HELD_OR_BOOKED = DriverStatement(
    select(reservations).where(reservations.c.booking_id == bindparam("booking_id"), _COUNTS)
)

# Whether the booking was released, with the reservations asked for, in one round trip: one
# row alone, its reservation columns NULL, when none is found.
_RELEASED = (
    exists().where(released_bookings.c.booking_id == bindparam("booking_id")).label("was_released")
)
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")


def _unless_released(found: Any) -> DriverStatement:
    return DriverStatement(
        select(_RELEASED, reservations).select_from(_ONE_ROW.outerjoin(reservations, found))
    )


RELEASED_AND_HELD_OR_BOOKED = _unless_released(
    and_(reservations.c.booking_id == bindparam("booking_id"), _COUNTS)
)
RELEASED_AND_BY_ID = _unless_released(reservations.c.id == bindparam("id"))

MARK_RELEASED = DriverStatement(
    text(
        "INSERT INTO released_bookings (booking_id, released_at) VALUES (:booking_id, :released_at)"
        " ON CONFLICT (booking_id) DO NOTHING"
    )
)

_LIVE_HOLD = and_(
    reservations.c.status == ReservationStatus.HELD.value,
    reservations.c.expires_at > bindparam("now"),
)
_RECENT = reservations.c.created_at > bindparam("since")
PERSONS_HOLDS = DriverStatement(
    select(
        func.count().filter(_LIVE_HOLD).label("live"),
        func.min(reservations.c.expires_at).filter(_LIVE_HOLD).label("first_to_lapse"),
        func.count().filter(_RECENT).label("recent"),
        func.min(reservations.c.created_at).filter(_RECENT).label("first_recent"),
    ).where(reservations.c.held_by == bindparam("person"), or_(_LIVE_HOLD, _RECENT))
)

LIVE_IN_ROOM = DriverStatement(
    select(reservations).where(
        reservations.c.room_id == bindparam("room_id"),
        reservations.c.blocks.overlaps(bindparam("window")),
        live_at(bindparam("now")),
    )
)

LIVE_IN_STUDIO = DriverStatement(
    select(reservations)
    .where(
        reservations.c.studio_id == bindparam("studio_id"),
        reservations.c.during.overlaps(bindparam("window")),
        live_at(bindparam("now")),
    )
    .order_by(func.lower(reservations.c.during), reservations.c.room_id)
)

CLAIM_LAPSED = DriverStatement(
    select(reservations)
    .where(
        reservations.c.status == written(ReservationStatus.HELD.value),  # held_expiry
        reservations.c.expires_at <= bindparam("now"),
    )
    .order_by(reservations.c.expires_at)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)

# An update's WHERE parameters are named apart from the table's columns: SET takes those names.
EXPIRE_LAPSED = DriverStatement(
    update(reservations)
    .where(
        reservations.c.room_id == bindparam("room"),
        reservations.c.status == ReservationStatus.HELD.value,
        reservations.c.expires_at <= bindparam("now"),
        reservations.c.blocks.overlaps(bindparam("in_the_way")),
    )
    .values(
        status=ReservationStatus.EXPIRED.value,
        version=reservations.c.version + 1,
        updated_at=func.now(),
    )
    .returning(*reservations.c)
)


def _compare_and_set(**values: Any) -> Any:
    """An update of the reservation only while its version is the one read."""
    return (
        update(reservations)
        .where(
            reservations.c.id == bindparam("reservation_id"),
            reservations.c.version == bindparam("read_version"),
        )
        .values(version=reservations.c.version + 1, updated_at=func.now(), **values)
        .returning(reservations.c.id)
    )


CHANGE_STATUS = DriverStatement(_compare_and_set(status=bindparam("status")))
BOOK = DriverStatement(
    _compare_and_set(
        status=ReservationStatus.BOOKED.value,
        expires_at=None,
        confirmed_at=bindparam("confirmed_at"),
    )
)
