"""Payouts to owners, one per booking."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Table,
    Text,
    Uuid,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.base import metadata, timestamps
from payments.db.payments import OLDEST_FIRST, payment_from_row, payments
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus

payouts = Table(
    "payouts",
    metadata,
    Column("booking_id", Uuid, primary_key=True, comment="one payout per booking"),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("hold", Text, comment="why it waits, when it does"),
    Column("currency", Text),
    Column("amount_minor", BigInteger, nullable=False, server_default="0"),
    Column("transfer_ref", Text, unique=True),
    Column("paid_at", DateTime(timezone=True)),
    Column("reversed_minor", BigInteger, nullable=False, server_default="0"),
    Column("reversal_reason", Text),
    *timestamps(),
)
Index("payouts_scheduled", payouts.c.not_before, postgresql_where=payouts.c.status == "scheduled")


def _payout(row: Any) -> Payout:
    return Payout(
        booking_id=row.booking_id,
        owner_id=row.owner_id,
        not_before=row.not_before,
        status=PayoutStatus(row.status),
        currency=row.currency,
        amount_minor=row.amount_minor,
        transfer_ref=row.transfer_ref,
        paid_at=row.paid_at,
        reversed_minor=row.reversed_minor,
        reversal_reason=row.reversal_reason,
    )


async def add_payout(session: AsyncConnection, payout: Payout) -> bool:
    result = await session.execute(
        pg_insert(payouts)
        .values(
            booking_id=payout.booking_id,
            owner_id=payout.owner_id,
            not_before=payout.not_before,
            status=payout.status.value,
        )
        .on_conflict_do_nothing()
        .returning(payouts.c.booking_id)
    )
    return result.first() is not None


async def payout_for_booking(session: AsyncConnection, booking_id: uuid.UUID) -> Payout | None:
    query = select(payouts).where(payouts.c.booking_id == booking_id).with_for_update()
    row = (await session.execute(query)).first()
    return _payout(row) if row else None


async def payouts_of_bookings(
    session: AsyncConnection, booking_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Payout]:
    query = select(payouts).where(payouts.c.booking_id.in_(list(booking_ids)))
    return {row.booking_id: _payout(row) for row in await session.execute(query)}


async def payout_for_transfer(session: AsyncConnection, transfer_ref: str) -> Payout | None:
    query = select(payouts).where(payouts.c.transfer_ref == transfer_ref).with_for_update()
    row = (await session.execute(query)).first()
    return _payout(row) if row else None


async def save_payout(session: AsyncConnection, payout: Payout, *, hold: str | None = None) -> None:
    await session.execute(
        update(payouts)
        .where(payouts.c.booking_id == payout.booking_id)
        .values(
            status=payout.status.value,
            hold=hold,
            currency=payout.currency,
            amount_minor=payout.amount_minor,
            transfer_ref=payout.transfer_ref,
            paid_at=payout.paid_at,
            reversed_minor=payout.reversed_minor,
            reversal_reason=payout.reversal_reason,
            updated_at=func.now(),
        )
    )


async def scheduled_payouts_due(
    session: AsyncConnection, now: datetime, limit: int = 100
) -> list[Payout]:
    """Scheduled payouts past their not_before, locked; another replica skips them."""
    query = (
        select(payouts)
        .where(payouts.c.status == PayoutStatus.SCHEDULED.value, payouts.c.not_before <= now)
        .order_by(payouts.c.not_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_payout(row) for row in await session.execute(query)]


async def payouts_of_owner(
    session: AsyncConnection,
    owner_id: uuid.UUID,
    *,
    statuses: Iterable[PayoutStatus] = (),
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Payout, str | None, list[Payment]]]:
    """The owner's payouts (of these statuses, if named), newest first, a page of them, each
    with why it waits and the booking's payments (oldest first)."""
    wanted = [status.value for status in statuses]
    query = (
        select(payouts)
        .where(payouts.c.owner_id == owner_id, *([payouts.c.status.in_(wanted)] if wanted else []))
        .order_by(payouts.c.created_at.desc(), payouts.c.booking_id)
        .limit(limit)
        .offset(offset)
    )
    rows = list((await session.execute(query)).all())
    bookings = [row.booking_id for row in rows]
    paid_by = select(payments).where(payments.c.booking_id.in_(bookings)).order_by(*OLDEST_FIRST)
    by_booking: dict[uuid.UUID, list[Payment]] = {}
    for payment_row in await session.execute(paid_by):
        by_booking.setdefault(payment_row.booking_id, []).append(payment_from_row(payment_row))
    return [(_payout(row), row.hold, by_booking.get(row.booking_id, [])) for row in rows]
