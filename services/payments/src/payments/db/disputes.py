"""Disputes Stripe told us about."""

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
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.base import metadata, timestamps
from payments.domain.disputes import Dispute, DisputeStatus

disputes = Table(
    "disputes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("dispute_ref", Text, nullable=False, unique=True),
    Column("booking_id", Uuid, nullable=False, index=True),
    Column("payment_id", Uuid, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("evidence_due_by", DateTime(timezone=True)),
    *timestamps(),
)


# Asked before every payout's transfer: built once, so SQLAlchemy finds it in its cache.
_OPEN_COUNT = select(func.count()).where(
    disputes.c.booking_id == bindparam("booking_id"),
    disputes.c.status == DisputeStatus.OPEN.value,
)


def _dispute(row: Any) -> Dispute:
    return Dispute(
        id=row.id,
        dispute_ref=row.dispute_ref,
        booking_id=row.booking_id,
        payment_id=row.payment_id,
        amount_minor=row.amount_minor,
        currency=row.currency,
        reason=row.reason,
        status=DisputeStatus(row.status),
        evidence_due_by=row.evidence_due_by,
    )


async def add_dispute(session: AsyncConnection, dispute: Dispute) -> bool:
    result = await session.execute(
        pg_insert(disputes)
        .values(
            id=dispute.id,
            dispute_ref=dispute.dispute_ref,
            booking_id=dispute.booking_id,
            payment_id=dispute.payment_id,
            amount_minor=dispute.amount_minor,
            currency=dispute.currency,
            reason=dispute.reason,
            status=dispute.status.value,
            evidence_due_by=dispute.evidence_due_by,
        )
        .on_conflict_do_nothing()
        .returning(disputes.c.id)
    )
    return result.first() is not None


async def dispute_by_ref(session: AsyncConnection, dispute_ref: str) -> Dispute | None:
    query = select(disputes).where(disputes.c.dispute_ref == dispute_ref).with_for_update()
    row = (await session.execute(query)).first()
    return _dispute(row) if row else None


async def save_dispute(session: AsyncConnection, dispute: Dispute) -> None:
    await session.execute(
        update(disputes)
        .where(disputes.c.id == dispute.id)
        .values(status=dispute.status.value, updated_at=func.now())
    )


async def open_disputes(session: AsyncConnection, booking_id: uuid.UUID) -> int:
    count = await session.scalar(_OPEN_COUNT, {"booking_id": booking_id})
    return int(count or 0)
