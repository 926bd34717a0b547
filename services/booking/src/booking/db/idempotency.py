"""Idempotency-Keys of booking requests, per person, on PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.db.tables import idempotency_keys
from service_runtime.db import DriverStatement

# Every booking request runs it: compiled once, on the driver (`DriverStatement`).
_CLAIM = DriverStatement(
    text(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id)"
        " VALUES (:user_id, :key, :request_hash, :booking_id)"
        " ON CONFLICT DO NOTHING RETURNING booking_id"
    )
)


class SqlIdempotencyKeys:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def claim(
        self, *, user_id: str, key: str, request_hash: str, booking_id: uuid.UUID
    ) -> tuple[uuid.UUID, str]:
        """The booking and request hash stored under the key: ours if it was free, else the
        first's."""
        inserted = await _CLAIM.first(
            self._session,
            {
                "user_id": user_id,
                "key": key,
                "request_hash": request_hash,
                "booking_id": booking_id,
            },
        )
        if inserted is not None:
            return booking_id, request_hash
        row = (
            await self._session.execute(
                select(idempotency_keys.c.booking_id, idempotency_keys.c.request_hash).where(
                    idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key
                )
            )
        ).one()
        return row.booking_id, row.request_hash
