"""The queue of Stripe calls to make after commit."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from payments.db.base import metadata, timestamps
from payments.db.payments import payments
from payments.domain.stripe_calls import (
    StripeCall,
    StripeCallParams,
    UnreadableCall,
    params_from_json,
    params_to_json,
)

log = logging.getLogger(__name__)

stripe_calls = Table(
    "stripe_calls",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("booking_id", Uuid, nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("params", JSONB, nullable=False, server_default="{}"),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("run_after", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("traceparent", Text),
    Column("done_at", DateTime(timezone=True)),
    *timestamps(),
)
Index(
    "stripe_calls_pending",
    stripe_calls.c.run_after,
    postgresql_where=stripe_calls.c.status == "pending",
)


async def add_call(
    session: AsyncSession,
    *,
    booking_id: uuid.UUID,
    params: StripeCallParams,
    idempotency_key: str,
    traceparent: str | None = None,
) -> bool:
    """Record a Stripe call to make after commit; False when the same call is already recorded."""
    result = await session.execute(
        pg_insert(stripe_calls)
        .values(
            booking_id=booking_id,
            kind=params.kind.value,
            idempotency_key=idempotency_key,
            params=params_to_json(params),
            traceparent=traceparent,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(stripe_calls.c.id)
    )
    return result.first() is not None


async def claim_calls(
    session: AsyncSession, *, lease_seconds: float, limit: int = 20
) -> list[StripeCall]:
    """Take due calls for a while: the oldest pending one per booking, so calls for one booking
    run in the order they were recorded; another replica skips what is taken. A call whose
    parameters no longer validate is failed here rather than retried forever."""
    older = stripe_calls.alias("older")
    due = (
        select(stripe_calls.c.id)
        .where(
            stripe_calls.c.status == "pending",
            stripe_calls.c.run_after <= func.now(),
            ~select(older.c.id)
            .where(
                and_(
                    older.c.booking_id == stripe_calls.c.booking_id,
                    older.c.status == "pending",
                    older.c.id < stripe_calls.c.id,
                )
            )
            .exists(),
        )
        .order_by(stripe_calls.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = await session.execute(
        update(stripe_calls)
        .where(stripe_calls.c.id.in_(due.scalar_subquery()))
        .values(
            attempts=stripe_calls.c.attempts + 1,
            run_after=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, lease_seconds),
            updated_at=func.now(),
        )
        .returning(stripe_calls)
    )
    calls = []
    for row in sorted(rows.all(), key=lambda row: row.id):
        try:
            calls.append(_call(row))
        except UnreadableCall as error:
            log.error("stripe call %s failed: %s", row.idempotency_key, error)
            await session.execute(
                update(stripe_calls)
                .where(stripe_calls.c.id == row.id)
                .values(status="failed", last_error=str(error)[:2000], updated_at=func.now())
            )
    return calls


def _call(row: Any) -> StripeCall:
    return StripeCall(
        id=row.id,
        booking_id=row.booking_id,
        params=params_from_json(row.kind, row.params),
        idempotency_key=row.idempotency_key,
        attempts=row.attempts,
        traceparent=row.traceparent,
    )


async def call_by_key(session: AsyncSession, idempotency_key: str) -> Any:
    """A recorded call, locked: a runner claiming it waits, or is skipped, until we commit."""
    query = (
        select(stripe_calls)
        .where(stripe_calls.c.idempotency_key == idempotency_key)
        .with_for_update()
    )
    return (await session.execute(query)).first()


async def finish_call(session: AsyncSession, call_id: int, *, status: str = "done") -> None:
    await session.execute(
        update(stripe_calls)
        .where(stripe_calls.c.id == call_id)
        .values(status=status, done_at=func.now(), updated_at=func.now())
    )


async def retry_call_later(
    session: AsyncSession, call_id: int, *, delay_seconds: float, error: str
) -> None:
    await session.execute(
        update(stripe_calls)
        .where(stripe_calls.c.id == call_id)
        .values(
            run_after=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, delay_seconds),
            last_error=error[:2000],
            updated_at=func.now(),
        )
    )


async def booking_traceparent(session: AsyncSession, intent_ref: str | None) -> str | None:
    """The trace of the booking a PaymentIntent belongs to: that of its first Stripe call."""
    if intent_ref is None:
        return None
    query = (
        select(stripe_calls.c.traceparent)
        .join(payments, payments.c.booking_id == stripe_calls.c.booking_id)
        .where(payments.c.intent_ref == intent_ref)
        .order_by(stripe_calls.c.id)
        .limit(1)
    )
    traceparent: str | None = await session.scalar(query)
    return traceparent
