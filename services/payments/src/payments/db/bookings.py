"""Bookings voided before their payment was asked for, and the per-booking lock."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.base import metadata
from service_runtime.db import DriverStatement

NO_MOVE = uuid.UUID(int=0)
"""Stands for the booking's first payment in the key of a void (a key cannot be NULL)."""
NO_MOVE_SQL = text(f"'{NO_MOVE}'::uuid")

voided_bookings = Table(
    "voided_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True, comment="voided before its payment was asked for"),
    Column(
        "move_id",
        Uuid,
        primary_key=True,
        server_default=NO_MOVE_SQL,
        comment="the move whose payment was voided; the nil UUID: the booking's first",
    ),
    Column("reason", Text, nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


BOOKING_LOCKS = 0x706D
"""The key space of per-booking advisory locks (two-key locks never meet one-key ones)."""

# Every command of every booking takes the lock, and authorizing looks for a void first:
# compiled once and run on the driver (`DriverStatement`).
_LOCK = DriverStatement(
    select(
        func.pg_advisory_xact_lock(
            BOOKING_LOCKS, func.hashtext(bindparam("booking_key", type_=Text))
        )
    )
)
_VOIDED = DriverStatement(
    select(voided_bookings).where(
        voided_bookings.c.booking_id == bindparam("booking_id"),
        voided_bookings.c.move_id.in_([NO_MOVE, bindparam("move_id", type_=Uuid)]),
    )
)


async def lock_booking(session: AsyncConnection, booking_id: uuid.UUID) -> None:
    """Hold the booking's lock until this transaction ends: booking's commands about one
    booking take effect one after the other, even before any row of it exists to lock."""
    await _LOCK.rows(session, {"booking_key": str(booking_id)})


async def add_voided_booking(
    session: AsyncConnection, booking_id: uuid.UUID, move_id: uuid.UUID | None, reason: str
) -> None:
    await session.execute(
        pg_insert(voided_bookings)
        .values(booking_id=booking_id, move_id=move_id or NO_MOVE, reason=reason)
        .on_conflict_do_nothing()
    )


async def voided_booking(
    session: AsyncConnection, booking_id: uuid.UUID, move_id: uuid.UUID | None
) -> Any:
    """The void booking sent before it asked for that payment, or before the booking had any
    payment (which no payment of it may follow), if it did."""
    params = {"booking_id": booking_id, "move_id": move_id or NO_MOVE}
    return await _VOIDED.first(session, params)
