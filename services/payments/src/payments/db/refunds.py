"""Refunds booking asked for, one per refund id."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Table,
    Text,
    Uuid,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from payments.db.base import metadata, timestamps

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", Uuid, primary_key=True, comment="chosen by booking, one per refund"),
    Column("booking_id", Uuid, nullable=False, index=True),
    Column("requested_minor", BigInteger, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column(
        "status",
        Text,
        nullable=False,
        comment="awaiting_capture (asked before the capture settled), pending, succeeded, rejected",
    ),
    Column("currency", Text, comment="of the amount booking asked for"),
    Column("note", Text, comment="an admin's reason for the refund"),
    Column("refund_ref", Text, unique=True),
    Column("refunded_at", DateTime(timezone=True)),
    *timestamps(),
)


async def add_refund(
    session: AsyncSession,
    *,
    refund_id: uuid.UUID,
    booking_id: uuid.UUID,
    requested_minor: int,
    amount_minor: int,
    reason: str,
    status: str,
    currency: str | None = None,
    note: str | None = None,
) -> bool:
    """False when this refund id was seen before (a refund is applied once per id)."""
    result = await session.execute(
        pg_insert(refunds)
        .values(
            refund_id=refund_id,
            booking_id=booking_id,
            requested_minor=requested_minor,
            amount_minor=amount_minor,
            reason=reason,
            status=status,
            currency=currency,
            note=note,
        )
        .on_conflict_do_nothing()
        .returning(refunds.c.refund_id)
    )
    return result.first() is not None


async def refund_row(session: AsyncSession, refund_id: uuid.UUID) -> Any:
    query = select(refunds).where(refunds.c.refund_id == refund_id).with_for_update()
    return (await session.execute(query)).first()


async def refunds_awaiting_capture(session: AsyncSession, booking_id: uuid.UUID) -> list[Any]:
    """Refunds asked for before the payment was captured, oldest first, locked."""
    query = (
        select(refunds)
        .where(refunds.c.booking_id == booking_id, refunds.c.status == "awaiting_capture")
        .order_by(refunds.c.created_at, refunds.c.refund_id)
        .with_for_update()
    )
    return list((await session.execute(query)).all())


async def settle_refund_request(
    session: AsyncSession, refund_id: uuid.UUID, *, amount_minor: int, status: str
) -> None:
    """Fix a waiting refund's amount once the capture is known (pending) or never came."""
    await session.execute(
        update(refunds)
        .where(refunds.c.refund_id == refund_id)
        .values(amount_minor=amount_minor, status=status, updated_at=func.now())
    )


async def refunds_pending_minor(session: AsyncSession, booking_id: uuid.UUID) -> int:
    """Refunds asked for but not yet done: they count against what is still refundable."""
    total = await session.scalar(
        select(func.coalesce(func.sum(refunds.c.amount_minor), 0)).where(
            refunds.c.booking_id == booking_id, refunds.c.status == "pending"
        )
    )
    return int(total or 0)


async def refunds_succeeded_minor(session: AsyncSession, booking_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(refunds.c.amount_minor), 0)).where(
            refunds.c.booking_id == booking_id, refunds.c.status == "succeeded"
        )
    )
    return int(total or 0)


async def refund_succeeded(session: AsyncSession, refund_id: uuid.UUID, refund_ref: str) -> None:
    await session.execute(
        update(refunds)
        .where(refunds.c.refund_id == refund_id)
        .values(
            status="succeeded", refund_ref=refund_ref, refunded_at=func.now(), updated_at=func.now()
        )
    )


async def refund_rejected(session: AsyncSession, refund_id: uuid.UUID) -> None:
    await session.execute(
        update(refunds)
        .where(refunds.c.refund_id == refund_id)
        .values(status="rejected", updated_at=func.now())
    )
