"""Refunds booking (or an admin) asked for, one per refund id, and their parts: what each
gives back from which of the booking's payments, each its own Stripe refund."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

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

refund_parts = Table(
    "refund_parts",
    metadata,
    Column("refund_id", Uuid, ForeignKey("refunds.refund_id"), primary_key=True),
    Column("payment_id", Uuid, ForeignKey("payments.id"), primary_key=True, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", Text, nullable=False, comment="pending, succeeded, rejected"),
    Column("refund_ref", Text, unique=True),
    Column("refunded_at", DateTime(timezone=True)),
    *timestamps(),
)

# Looked for once every payment is captured: built once, so SQLAlchemy finds it in its cache.
_AWAITING_CAPTURE = (
    select(refunds)
    .where(refunds.c.booking_id == bindparam("booking_id"), refunds.c.status == "awaiting_capture")
    .order_by(refunds.c.created_at, refunds.c.refund_id)
    .with_for_update()
)


async def add_refund(
    session: AsyncConnection,
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


async def refund_row(session: AsyncConnection, refund_id: uuid.UUID) -> Any:
    query = select(refunds).where(refunds.c.refund_id == refund_id).with_for_update()
    return (await session.execute(query)).first()


async def refunds_awaiting_capture(session: AsyncConnection, booking_id: uuid.UUID) -> list[Any]:
    """Refunds asked for before the payment was captured, oldest first, locked."""
    return list((await session.execute(_AWAITING_CAPTURE, {"booking_id": booking_id})).all())


async def settle_refund_request(
    session: AsyncConnection, refund_id: uuid.UUID, *, amount_minor: int, status: str
) -> None:
    """Fix a waiting refund's amount once the capture is known (pending) or never came."""
    await session.execute(
        update(refunds)
        .where(refunds.c.refund_id == refund_id)
        .values(amount_minor=amount_minor, status=status, updated_at=func.now())
    )


async def finish_refund(session: AsyncConnection, refund_id: uuid.UUID, status: str) -> None:
    await session.execute(
        update(refunds)
        .where(refunds.c.refund_id == refund_id)
        .values(status=status, updated_at=func.now())
    )


async def add_refund_part(
    session: AsyncConnection, refund_id: uuid.UUID, payment_id: uuid.UUID, amount_minor: int
) -> None:
    await session.execute(
        pg_insert(refund_parts)
        .values(
            refund_id=refund_id, payment_id=payment_id, amount_minor=amount_minor, status="pending"
        )
        .on_conflict_do_nothing()
    )


async def refund_part_rows(
    session: AsyncConnection, refund_id: uuid.UUID, payment_id: uuid.UUID | None = None
) -> list[Any]:
    """The refund's parts (that of one payment, if named), locked."""
    query = select(refund_parts).where(refund_parts.c.refund_id == refund_id)
    if payment_id is not None:
        query = query.where(refund_parts.c.payment_id == payment_id)
    return list((await session.execute(query.with_for_update())).all())


async def finish_refund_part(
    session: AsyncConnection,
    refund_id: uuid.UUID,
    payment_id: uuid.UUID,
    status: str,
    refund_ref: str | None,
) -> None:
    await session.execute(
        update(refund_parts)
        .where(refund_parts.c.refund_id == refund_id, refund_parts.c.payment_id == payment_id)
        .values(
            status=status,
            refund_ref=refund_ref,
            refunded_at=func.now() if status == "succeeded" else None,
            updated_at=func.now(),
        )
    )


async def refund_parts_pending(
    session: AsyncConnection, booking_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """Parts asked for but not yet done, by payment: they count against what is refundable."""
    query = (
        select(refund_parts.c.payment_id, func.sum(refund_parts.c.amount_minor).label("pending"))
        .join(refunds, refunds.c.refund_id == refund_parts.c.refund_id)
        .where(refunds.c.booking_id == booking_id, refund_parts.c.status == "pending")
        .group_by(refund_parts.c.payment_id)
    )
    return {row.payment_id: int(row.pending) for row in await session.execute(query)}


async def refund_parts_succeeded_minor(
    session: AsyncConnection, booking_id: uuid.UUID, payment_id: uuid.UUID | None = None
) -> int:
    query = (
        select(func.coalesce(func.sum(refund_parts.c.amount_minor), 0))
        .join(refunds, refunds.c.refund_id == refund_parts.c.refund_id)
        .where(refunds.c.booking_id == booking_id, refund_parts.c.status == "succeeded")
    )
    if payment_id is not None:
        query = query.where(refund_parts.c.payment_id == payment_id)
    return int(await session.scalar(query) or 0)
