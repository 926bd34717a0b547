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
from sqlalchemy import (
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from availability.db.tables import interval_of, released_bookings, reservations, tstz_range
from availability.domain.holds import PersonsHolds
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    LIVE_STATUSES,
    Reservation,
    ReservationStatus,
    RoomTaken,
)


async def lock(session: AsyncSession, key: str) -> None:
    """Hold a lock on `key` until the transaction ends, across every replica."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


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


def live_at(now: datetime) -> Any:
    """The condition of a reservation that blocks its room at `now`: booked, or held unexpired."""
    return or_(
        reservations.c.status == ReservationStatus.BOOKED.value,
        and_(
            reservations.c.status == ReservationStatus.HELD.value,
            reservations.c.expires_at > now,
        ),
    )


class SqlReservations:
    """Reservations and released bookings on PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
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
        inserted = await self._session.scalar(
            pg_insert(reservations)
            .values(
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
                move_id=reservation.move_id,
            )
            .on_conflict_do_nothing()
            .returning(reservations.c.id)
        )
        if inserted is None:
            raise RoomTaken

    async def reservations_of_move(
        self, booking_id: uuid.UUID, move_id: uuid.UUID
    ) -> list[Reservation]:
        """Every reservation a move of the booking ever had, whatever became of it."""
        rows = await self._session.execute(
            select(reservations).where(
                reservations.c.booking_id == booking_id, reservations.c.move_id == move_id
            )
        )
        return [reservation_of(row) for row in rows]

    async def last_released_for(
        self, booking_id: uuid.UUID, other_than: uuid.UUID
    ) -> uuid.UUID | None:
        """The booking's reservation released last, other than one: what a move replaced."""
        return await self._session.scalar(
            select(reservations.c.id)
            .where(
                reservations.c.booking_id == booking_id,
                reservations.c.id != other_than,
                reservations.c.status == ReservationStatus.RELEASED.value,
            )
            .order_by(reservations.c.updated_at.desc())
            .limit(1)
        )

    async def reservation_by_id(self, reservation_id: uuid.UUID) -> Reservation | None:
        row = (
            await self._session.execute(
                select(reservations).where(reservations.c.id == reservation_id)
            )
        ).first()
        return reservation_of(row) if row else None

    async def held_or_booked_for(self, booking_id: uuid.UUID) -> list[Reservation]:
        """A booking's reservations that still count (held, lapsed or not, and booked)."""
        rows = await self._session.execute(
            select(reservations).where(
                reservations.c.booking_id == booking_id,
                reservations.c.status.in_([status.value for status in LIVE_STATUSES]),
            )
        )
        return [reservation_of(row) for row in rows]

    async def mark_released(self, booking_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            pg_insert(released_bookings)
            .values(booking_id=booking_id, released_at=now)
            .on_conflict_do_nothing(index_elements=[released_bookings.c.booking_id])
        )

    async def was_released(self, booking_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            select(released_bookings.c.booking_id).where(
                released_bookings.c.booking_id == booking_id
            )
        )
        return found is not None

    async def holds_of_person(self, person: str, now: datetime, window: timedelta) -> PersonsHolds:
        """A person's live holds, and the holds they placed in the `window` before now."""
        of_person = reservations.c.held_by == person
        live = and_(
            reservations.c.status == ReservationStatus.HELD.value, reservations.c.expires_at > now
        )
        recent = reservations.c.created_at > now - window
        row = (
            await self._session.execute(
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
        self, room_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        """The room's live reservations whose blocked time touches the window."""
        rows = await self._session.execute(
            select(reservations).where(
                reservations.c.room_id == room_id,
                reservations.c.blocks.overlaps(tstz_range(window)),
                live_at(now),
            )
        )
        return [reservation_of(row) for row in rows]

    async def live_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        rows = await self._session.execute(
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
        self, room_id: uuid.UUID, blocks: Interval, now: datetime
    ) -> list[Reservation]:
        """Turn lapsed holds in the way of `blocks` EXPIRED, so the constraint stops seeing them."""
        rows = await self._session.execute(
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

    async def claim_lapsed_holds(self, now: datetime, limit: int) -> list[Reservation]:
        """Lapsed holds locked for this transaction; rows another replica holds are skipped."""
        rows = await self._session.execute(
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
        values: dict[str, Any] = {
            "status": status.value,
            "version": reservation.version + 1,
            "updated_at": func.now(),
        }
        if status is ReservationStatus.BOOKED:
            values.update(expires_at=None, confirmed_at=confirmed_at)
        result = await self._session.execute(
            update(reservations)
            .where(
                reservations.c.id == reservation.id, reservations.c.version == reservation.version
            )
            .values(**values)
            .returning(reservations.c.id)
        )
        return result.first() is not None
