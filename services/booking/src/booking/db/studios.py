"""The read model of catalog's studios, on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.db.tables import studios
from booking.domain.studios import AddOn, Room, Studio
from contracts.catalog import AddOnPricing, BookingMode, StudioStatus
from contracts.values import CancellationPolicy
from service_runtime.db import DriverStatement

# Every request reads it: on the driver (`DriverStatement`).
_BY_ID = DriverStatement(select(studios).where(studios.c.studio_id == bindparam("studio_id")))


class SqlStudios:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def upsert(self, studio: Studio) -> bool:
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
                    "capacity": room.capacity,
                }
                for room in studio.rooms
            ],
            "booking_mode": studio.booking_mode.value,
            "request_window_hours": studio.request_window_hours,
            "add_ons": [
                {**asdict(add_on), "add_on_id": str(add_on.add_on_id)} for add_on in studio.add_ons
            ],
        }
        statement = pg_insert(studios).values(values)
        result = await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[studios.c.studio_id],
                set_={**{k: statement.excluded[k] for k in values}, "updated_at": func.now()},
                where=studios.c.revision < statement.excluded.revision,
            ).returning(studios.c.studio_id)
        )
        return result.first() is not None

    async def get(self, studio_id: uuid.UUID) -> Studio | None:
        row = await _BY_ID.first(self._session, {"studio_id": studio_id})
        return None if row is None else studio_of(row)

    async def get_many(self, studio_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Studio]:
        """The studios with these ids, in one query (a page of bookings names them)."""
        wanted = set(studio_ids)
        if not wanted:
            return {}
        rows = await self._session.execute(select(studios).where(studios.c.studio_id.in_(wanted)))
        return {row.studio_id: studio_of(row) for row in rows}


def studio_of(row: Any) -> Studio:
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
            Room(
                uuid.UUID(room["room_id"]),
                room["hourly_price_minor"],
                room.get("name"),
                room.get("capacity"),
            )
            for room in row.rooms
        ),
        add_ons=tuple(
            AddOn(
                **add_on
                | {
                    "add_on_id": uuid.UUID(add_on["add_on_id"]),
                    "pricing": AddOnPricing(add_on["pricing"]),
                }
            )
            for add_on in row.add_ons
        ),
        booking_mode=BookingMode(row.booking_mode),
        request_window_hours=row.request_window_hours,
    )
