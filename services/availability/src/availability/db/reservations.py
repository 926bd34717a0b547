"""Reservations (holds and bookings) on PostgreSQL. The exclusion constraint on a room's
blocked ranges is what finally refuses an overlap: it comes back as `RoomTaken`, never as a
database error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import psycopg.errors
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db import reservation_statements as statements
from availability.db.tables import interval_of, tstz_range
from availability.domain.holds import PersonsHolds
from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation, ReservationStatus, RoomTaken


async def lock(session: AsyncConnection, key: str) -> None:
    """Hold a lock on `key` until the transaction ends, across every replica."""
    await statements.LOCK.rows(session, {"key": key})


def reservation_of(row: Any) -> Reservation:
    during = interval_of(row.during)
    return Reservation(
        id=row.id,
        studio_id=row.studio_id,
        room_id=row.room_id,
        booking_id=row.booking_id,
        during=during,
        buffer=interval_of(row.blocks).end - during.end,
        buffer_before=during.start - interval_of(row.blocks).start,
        status=ReservationStatus(row.status),
        expires_at=row.expires_at,
        version=row.version,
        held_by=row.held_by,
        confirmed_at=row.confirmed_at,
        created_at=row.created_at,
        move_id=row.move_id,
    )


class SqlReservations:
    """Reservations and released bookings on PostgreSQL."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    @asynccontextmanager
    async def _refused_if_overlapping(self) -> AsyncIterator[None]:
        """A savepoint around a change the constraint may refuse, so the transaction goes on."""
        try:
            async with self._session.begin_nested():
                yield
        except IntegrityError as error:
            if isinstance(error.orig, psycopg.errors.ExclusionViolation):
                raise RoomTaken from error
            raise

    async def add_reservation(self, reservation: Reservation) -> None:
        """Insert; `RoomTaken` when a live one overlaps (committed or being committed). The
        exclusion constraint is the insert's arbiter: a conflict skips the row (it waits for a
        concurrent one's commit first) instead of failing, so no savepoint is needed. Ids are
        random, so the primary key never conflicts."""
        inserted = await statements.ADD_RESERVATION.first(
            self._session,
            {
                "id": reservation.id,
                "studio_id": reservation.studio_id,
                "room_id": reservation.room_id,
                "booking_id": reservation.booking_id,
                "held_by": reservation.held_by,
                "move_id": reservation.move_id,
                "during": tstz_range(reservation.during),
                "blocks": tstz_range(reservation.blocks),
                "status": reservation.status.value,
                "expires_at": reservation.expires_at,
                "version": reservation.version,
                "created_at": reservation.created_at,
            },
        )
        if inserted is None:
            raise RoomTaken

    async def reservations_of_move(
        self, booking_id: uuid.UUID, move_id: uuid.UUID
    ) -> list[Reservation]:
        """Every reservation a move of the booking ever had, whatever became of it."""
        rows = await statements.OF_MOVE.rows(
            self._session, {"booking_id": booking_id, "move_id": move_id}
        )
        return [reservation_of(row) for row in rows]

    async def last_released_for(
        self, booking_id: uuid.UUID, other_than: uuid.UUID
    ) -> uuid.UUID | None:
        """The booking's reservation released last, other than one: what a move replaced."""
        row = await statements.LAST_RELEASED.first(
            self._session, {"booking_id": booking_id, "other_than": other_than}
        )
        return row.id if row else None

    async def reservation_by_id(self, reservation_id: uuid.UUID) -> Reservation | None:
        row = await statements.BY_ID.first(self._session, {"id": reservation_id})
        return reservation_of(row) if row else None

    async def held_or_booked_for(self, booking_id: uuid.UUID) -> list[Reservation]:
        """A booking's reservations that still count (held, lapsed or not, and booked)."""
        rows = await statements.HELD_OR_BOOKED.rows(self._session, {"booking_id": booking_id})
        return [reservation_of(row) for row in rows]

    async def mark_released(self, booking_id: uuid.UUID, now: datetime) -> None:
        await statements.MARK_RELEASED.rows(
            self._session, {"booking_id": booking_id, "released_at": now}
        )

    async def released_and_held_or_booked(
        self, booking_id: uuid.UUID
    ) -> tuple[bool, list[Reservation]]:
        rows = await statements.RELEASED_AND_HELD_OR_BOOKED.rows(
            self._session, {"booking_id": booking_id}
        )
        return rows[0].was_released, [reservation_of(row) for row in rows if row.id is not None]

    async def released_and_reservation(
        self, booking_id: uuid.UUID, reservation_id: uuid.UUID
    ) -> tuple[bool, Reservation | None]:
        (row,) = await statements.RELEASED_AND_BY_ID.rows(
            self._session, {"booking_id": booking_id, "id": reservation_id}
        )
        return row.was_released, reservation_of(row) if row.id is not None else None

    async def holds_of_person(self, person: str, now: datetime, window: timedelta) -> PersonsHolds:
        """A person's live holds, and the holds they placed in the `window` before now."""
        (row,) = await statements.PERSONS_HOLDS.rows(  # an aggregate: one row
            self._session, {"person": person, "now": now, "since": now - window}
        )
        return PersonsHolds(
            live=row.live,
            first_to_lapse=row.first_to_lapse,
            recent=row.recent,
            first_recent=row.first_recent,
        )

    async def live_in_room(
        self, room_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        """The room's live reservations whose blocked time touches the window."""
        rows = await statements.LIVE_IN_ROOM.rows(
            self._session, {"room_id": room_id, "window": tstz_range(window), "now": now}
        )
        return [reservation_of(row) for row in rows]

    async def live_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        rows = await statements.LIVE_IN_STUDIO.rows(
            self._session,
            {"studio_id": studio_id, "window": tstz_range(window), "now": now},
        )
        return [reservation_of(row) for row in rows]

    async def expire_lapsed_overlapping(
        self, room_id: uuid.UUID, blocks: Interval, now: datetime
    ) -> list[Reservation]:
        """Turn lapsed holds in the way of `blocks` EXPIRED, so the constraint stops seeing them."""
        rows = await statements.EXPIRE_LAPSED.rows(
            self._session,
            {"room": room_id, "now": now, "in_the_way": tstz_range(blocks)},
        )
        return [reservation_of(row) for row in rows]

    async def claim_lapsed_holds(self, now: datetime, limit: int) -> list[Reservation]:
        """Lapsed holds locked for this transaction; rows another replica holds are skipped."""
        rows = await statements.CLAIM_LAPSED.rows(self._session, {"now": now, "limit": limit})
        return [reservation_of(row) for row in rows]

    async def change_status(
        self,
        reservation: Reservation,
        status: ReservationStatus,
        *,
        confirmed_at: datetime | None = None,
        may_overlap: bool = False,
    ) -> bool:
        """Compare-and-set on the version: False when someone changed the reservation first.

        `may_overlap` for a change that makes the reservation live again (a lapsed hold booked):
        `RoomTaken` when another now holds the room.
        """
        if may_overlap:
            async with self._refused_if_overlapping():
                return await self.change_status(reservation, status, confirmed_at=confirmed_at)
        where = {"reservation_id": reservation.id, "read_version": reservation.version}
        if status is ReservationStatus.BOOKED:
            changed = await statements.BOOK.first(
                self._session, {**where, "confirmed_at": confirmed_at}
            )
        else:
            changed = await statements.CHANGE_STATUS.first(
                self._session, {**where, "status": status.value}
            )
        return changed is not None
