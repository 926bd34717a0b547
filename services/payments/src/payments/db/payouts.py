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
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.base import insert_or_nothing, metadata, timestamps
from payments.db.payments import OLDEST_FIRST, payment_from_row, payments
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus
from service_runtime.db import written

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

# Every booking's payout is scheduled, loaded and saved a few times over: built once, so
# SQLAlchemy finds them in its cache instead of building and keying new ones.
_ADD = insert_or_nothing(
    payouts, ("booking_id", "owner_id", "not_before", "status"), returning="booking_id"
)
_FOR_BOOKING = (
    select(payouts).where(payouts.c.booking_id == bindparam("booking_id")).with_for_update()
)
_FOR_TRANSFER = (
    select(payouts).where(payouts.c.transfer_ref == bindparam("transfer_ref")).with_for_update()
)
_SAVED_FIELDS = (
    "status",
    "hold",
    "currency",
    "amount_minor",
    "transfer_ref",
    "paid_at",
    "reversed_minor",
    "reversal_reason",
)
# Not bound as "booking_id": UPDATE keeps its columns' names for the values it sets.
_SAVE = (
    update(payouts)
    .where(payouts.c.booking_id == bindparam("id_"))
    .values({name: bindparam(name) for name in _SAVED_FIELDS} | {"updated_at": func.now()})
)


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
    added = await _ADD.first(
        session,
        {
            "booking_id": payout.booking_id,
            "owner_id": payout.owner_id,
            "not_before": payout.not_before,
            "status": payout.status.value,
        },
    )
    return added is not None


async def payout_for_booking(session: AsyncConnection, booking_id: uuid.UUID) -> Payout | None:
    row = (await session.execute(_FOR_BOOKING, {"booking_id": booking_id})).first()
    return _payout(row) if row else None


async def payouts_of_bookings(
    session: AsyncConnection, booking_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Payout]:
    query = select(payouts).where(payouts.c.booking_id.in_(list(booking_ids)))
    return {row.booking_id: _payout(row) for row in await session.execute(query)}


async def payout_for_transfer(session: AsyncConnection, transfer_ref: str) -> Payout | None:
    row = (await session.execute(_FOR_TRANSFER, {"transfer_ref": transfer_ref})).first()
    return _payout(row) if row else None


async def save_payout(session: AsyncConnection, payout: Payout, *, hold: str | None = None) -> None:
    await session.execute(
        _SAVE,
        {
            "id_": payout.booking_id,
            "status": payout.status.value,
            "hold": hold,
            "currency": payout.currency,
            "amount_minor": payout.amount_minor,
            "transfer_ref": payout.transfer_ref,
            "paid_at": payout.paid_at,
            "reversed_minor": payout.reversed_minor,
            "reversal_reason": payout.reversal_reason,
        },
    )


async def scheduled_payouts_due(
    session: AsyncConnection, now: datetime, limit: int = 100
) -> list[Payout]:
    """Scheduled payouts past their not_before, locked; another replica skips them."""
    query = (
        select(payouts)
        .where(
            payouts.c.status == written(PayoutStatus.SCHEDULED.value),  # payouts_scheduled
            payouts.c.not_before <= now,
        )
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
