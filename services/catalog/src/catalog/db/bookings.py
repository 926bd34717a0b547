"""Booking's bookings as catalog keeps them: completed ones (who may review) and confirmed
ones (which changes of a studio would break)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Table, Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.db.base import metadata
from catalog.domain.bookings import UpcomingBooking
from catalog.domain.reviews import CompletedBooking
from service_runtime.db import DriverStatement

completed_bookings = Table(
    "completed_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False),
    Column("studio_id", Uuid, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
)

# Booking's confirmed bookings, kept so that catalog refuses changes that would break them.
# A row whose booking ended (cancelled, completed, failed, no-show) stays as `live = false`,
# so a BookingConfirmed redelivered after its booking's end cannot bring it back.
booked_sessions = Table(
    "booked_sessions",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False),
    Column("room_id", Uuid, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("live", Boolean, nullable=False),
    Index("booked_sessions_live", "studio_id", "ends_at", postgresql_where=text("live")),
)


# PostgreSQL's INSERT ... ON CONFLICT has no cache key in SQLAlchemy 2.0 (its `insert` sets
# `inherit_cache = False`): run through SQLAlchemy, it is compiled anew at every execution, one
# per BookingConfirmed here. As `DriverStatement`s they are compiled once.
_new_session = pg_insert(booked_sessions).values(
    {column.name: bindparam(column.name) for column in booked_sessions.columns}
)
_ADD_SESSION = DriverStatement(_new_session.on_conflict_do_nothing())
_MOVE_SESSION = DriverStatement(
    _new_session.on_conflict_do_update(
        index_elements=[booked_sessions.c.booking_id],
        set_={name: _new_session.excluded[name] for name in ("room_id", "starts_at", "ends_at")},
    )
)
_END_SESSION = DriverStatement(
    _new_session.on_conflict_do_update(
        index_elements=[booked_sessions.c.booking_id], set_={"live": False}
    )
)


def _booked_session_values(
    studio_id: uuid.UUID, booking: UpcomingBooking, *, live: bool
) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "studio_id": studio_id,
        "room_id": booking.room_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "live": live,
    }


class SqlBookings:
    """What catalog keeps of bookings: completed ones (reviewable) and sessions still to come."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add_completed_booking(self, booking: CompletedBooking) -> None:
        await self._session.execute(
            pg_insert(completed_bookings)
            .values(
                booking_id=booking.booking_id,
                booker_id=booking.booker_id,
                studio_id=booking.studio_id,
                completed_at=booking.completed_at,
            )
            .on_conflict_do_nothing()
        )

    async def completed_booking(self, booking_id: uuid.UUID) -> CompletedBooking | None:
        row = (
            await self._session.execute(
                select(completed_bookings).where(completed_bookings.c.booking_id == booking_id)
            )
        ).first()
        if row is None:
            return None
        return CompletedBooking(row.booking_id, row.booker_id, row.studio_id, row.completed_at)

    async def add_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        """Remember a confirmed booking, unless its end is known already."""
        await _ADD_SESSION.rows(
            self._session, _booked_session_values(studio_id, booking, live=True)
        )

    async def move_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        """A rescheduled booking's new room and time; whether it is live stays as known."""
        await _MOVE_SESSION.rows(
            self._session, _booked_session_values(studio_id, booking, live=True)
        )

    async def end_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        """Mark a booking ended for good, whether or not its confirmation has arrived yet."""
        await _END_SESSION.rows(
            self._session, _booked_session_values(studio_id, booking, live=False)
        )

    async def upcoming_bookings(
        self, studio_id: uuid.UUID, *, now: datetime
    ) -> list[UpcomingBooking]:
        """The studio's confirmed bookings that have not ended by `now`, soonest first."""
        rows = await self._session.execute(
            select(booked_sessions)
            .where(
                booked_sessions.c.studio_id == studio_id,
                booked_sessions.c.live,
                booked_sessions.c.ends_at > now,
            )
            .order_by(booked_sessions.c.starts_at, booked_sessions.c.booking_id)
        )
        return [UpcomingBooking(r.booking_id, r.room_id, r.starts_at, r.ends_at) for r in rows]
