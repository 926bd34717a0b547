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
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from payments.db.base import metadata

voided_bookings = Table(
    "voided_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True, comment="voided before its payment was asked for"),
    Column("reason", Text, nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


BOOKING_LOCKS = 0x706D
"""The key space of per-booking advisory locks (two-key locks never meet one-key ones)."""


async def lock_booking(session: AsyncSession, booking_id: uuid.UUID) -> None:
    """Hold the booking's lock until this transaction ends: booking's commands about one
    booking take effect one after the other, even before any row of it exists to lock."""
    key = func.hashtext(str(booking_id))
    await session.execute(select(func.pg_advisory_xact_lock(BOOKING_LOCKS, key)))


async def add_voided_booking(session: AsyncSession, booking_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        pg_insert(voided_bookings)
        .values(booking_id=booking_id, reason=reason)
        .on_conflict_do_nothing()
    )


async def voided_booking(session: AsyncSession, booking_id: uuid.UUID) -> Any:
    """The void booking sent before it asked for the payment, if it did."""
    query = select(voided_bookings).where(voided_bookings.c.booking_id == booking_id)
    return (await session.execute(query)).first()
