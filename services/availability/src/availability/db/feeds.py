"""Tables and queries of owners' calendar feeds and the names they show.

The names come from other services' events: studio and room names from catalog's, bookers from
booking's, first names from identity's (service_runtime.user_names).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db.reservation_statements import live_at
from availability.db.reservations import reservation_of
from availability.db.tables import metadata, reservations, tstz_range
from availability.domain.calendar_feeds import CalendarFeed, FeedEntry
from availability.domain.intervals import Interval
from service_runtime.db import DriverStatement
from service_runtime.user_names import names_of, user_names_table

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid),
    Column("secret_sha256", LargeBinary(32), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True), nullable=False),
)

# Catalog's names of a studio and its rooms, as of the newest revision seen.
studio_names = Table(
    "studio_names",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("room_names", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
)

# Who asked for each booking (its HoldSlots): holds name a booking, not a person.
booking_bookers = Table(
    "booking_bookers",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False),
)

booker_first_names = user_names_table(metadata, "booker_first_names")

# Run for every booking: compiled once, on the driver (`DriverStatement`).
_RECORD_BOOKER = DriverStatement(
    text(
        "INSERT INTO booking_bookers (booking_id, booker_id) VALUES (:booking_id, :booker_id)"
        " ON CONFLICT DO NOTHING"
    )
)


def _feed(row: Any) -> CalendarFeed:
    return CalendarFeed(
        id=row.id,
        studio_id=row.studio_id,
        room_id=row.room_id,
        created_at=row.created_at,
        rotated_at=row.rotated_at,
    )


def _booker(row: Any) -> uuid.UUID | None:
    if row.booker_id is not None:
        return uuid.UUID(str(row.booker_id))
    try:  # a hold placed over HTTP names its person by their user id
        return uuid.UUID(row.held_by) if row.held_by else None
    except ValueError:
        return None


class SqlCalendarFeeds:
    """Calendar feeds and the names they show."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def feeds_of(self, studio_id: uuid.UUID) -> list[CalendarFeed]:
        rows = await self._session.execute(
            select(calendar_feeds)
            .where(calendar_feeds.c.studio_id == studio_id)
            .order_by(calendar_feeds.c.created_at, calendar_feeds.c.id)
        )
        return [_feed(row) for row in rows]

    async def add_feed(self, feed: CalendarFeed, secret_sha256: bytes) -> None:
        await self._session.execute(
            insert(calendar_feeds).values(
                id=feed.id,
                studio_id=feed.studio_id,
                room_id=feed.room_id,
                secret_sha256=secret_sha256,
                created_at=feed.created_at,
                rotated_at=feed.rotated_at,
            )
        )

    async def rotate_feed(
        self,
        studio_id: uuid.UUID,
        feed_id: uuid.UUID,
        secret_sha256: bytes,
        now: datetime,
    ) -> CalendarFeed | None:
        row = (
            await self._session.execute(
                update(calendar_feeds)
                .where(calendar_feeds.c.id == feed_id, calendar_feeds.c.studio_id == studio_id)
                .values(secret_sha256=secret_sha256, rotated_at=now)
                .returning(calendar_feeds)
            )
        ).first()
        return _feed(row) if row else None

    async def remove_feed(self, studio_id: uuid.UUID, feed_id: uuid.UUID) -> bool:
        removed = await self._session.execute(
            delete(calendar_feeds)
            .where(calendar_feeds.c.id == feed_id, calendar_feeds.c.studio_id == studio_id)
            .returning(calendar_feeds.c.id)
        )
        return removed.first() is not None

    async def feed_by_secret(self, secret_sha256: bytes) -> CalendarFeed | None:
        query = select(calendar_feeds).where(calendar_feeds.c.secret_sha256 == secret_sha256)
        row = (await self._session.execute(query)).first()
        return _feed(row) if row else None

    async def feed_entries(
        self, feed: CalendarFeed, window: Interval, now: datetime, limit: int
    ) -> list[FeedEntry]:
        """The feed's bookings and live holds in the window, earliest first, at most `limit`."""
        scope = [reservations.c.studio_id == feed.studio_id]
        if feed.room_id is not None:
            scope.append(reservations.c.room_id == feed.room_id)
        rows = await self._session.execute(
            select(reservations, booking_bookers.c.booker_id)
            .outerjoin(booking_bookers, booking_bookers.c.booking_id == reservations.c.booking_id)
            .where(*scope, reservations.c.during.overlaps(tstz_range(window)), live_at(now))
            .order_by(func.lower(reservations.c.during), reservations.c.id)
            .limit(limit)
        )
        return [FeedEntry(reservation_of(row), _booker(row)) for row in rows]

    async def first_names(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await names_of(self._session, booker_first_names, user_ids)

    async def save_studio_names(
        self,
        studio_id: uuid.UUID,
        name: str,
        room_names: dict[uuid.UUID, str],
        revision: int,
    ) -> None:
        values = {
            "name": name,
            "room_names": {str(room_id): room for room_id, room in room_names.items()},
            "revision": revision,
        }
        statement = pg_insert(studio_names).values(studio_id=studio_id, **values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[studio_names.c.studio_id],
                set_=values,
                where=studio_names.c.revision < statement.excluded.revision,
            )
        )

    async def names_of_studio(self, studio_id: uuid.UUID) -> tuple[str, dict[uuid.UUID, str]]:
        query = select(studio_names).where(studio_names.c.studio_id == studio_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return "Studio", {}
        return row.name, {uuid.UUID(key): room for key, room in row.room_names.items()}

    async def record_booker(self, booking_id: uuid.UUID, booker_id: uuid.UUID) -> None:
        await _RECORD_BOOKER.rows(self._session, {"booking_id": booking_id, "booker_id": booker_id})
