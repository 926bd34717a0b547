"""The queue of Stripe calls to make after commit."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Identity,
    Index,
    Integer,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    cast,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import FromClause

from payments.db.base import metadata, timestamps
from payments.db.payments import payment_from_row, payments
from payments.domain.payment_states import Payment
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
    session: AsyncConnection,
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


async def claim_call(
    session: AsyncConnection, *, lease_seconds: float
) -> tuple[StripeCall, Payment | None, bool] | None:
    """Take the next due call for a while, with its payment (as it is now, unlocked)
    and whether another call is due too, in one statement: the oldest pending call of a
    booking, so one booking's calls run in the order they were recorded; another replica skips
    what is taken. A call whose parameters no longer validate is failed here rather than
    retried forever, and the next one taken."""
    while (row := (await session.execute(_claim_one(lease_seconds))).first()) is not None:
        try:
            call = _call(row)
        except UnreadableCall as error:
            log.error("stripe call %s failed: %s", row.call_idempotency_key, error)
            await session.execute(
                update(stripe_calls)
                .where(stripe_calls.c.id == row.call_id)
                .values(status="failed", last_error=str(error)[:2000], updated_at=func.now())
            )
            continue
        payment = payment_from_row(row) if row.id is not None else None
        return call, payment, row.more_due
    return None


def _claim_one(lease_seconds: float) -> Select[Any]:
    due = _due(stripe_calls).order_by(stripe_calls.c.id).limit(1)
    claimed = (
        update(stripe_calls)
        .where(stripe_calls.c.id.in_(due.with_for_update(skip_locked=True).scalar_subquery()))
        .values(
            attempts=stripe_calls.c.attempts + 1,
            run_after=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, lease_seconds),
            updated_at=func.now(),
        )
        .returning(*(stripe_calls.c[name] for name in _CALL_FIELDS))
        .cte("claimed")
    )
    other = stripe_calls.alias()
    more_due = _due(other).where(other.c.id != claimed.c.id).exists()
    # The call's columns prefixed, the payment's as `payment_from_row` reads them.
    return select(
        *(claimed.c[name].label(f"call_{name}") for name in _CALL_FIELDS),
        more_due.label("more_due"),
        payments,
    ).select_from(claimed.outerjoin(payments, _payment_of(claimed)))


def _payment_of(claimed: FromClause) -> ColumnElement[bool]:
    """The payment a call names, or the booking's first for a call that names none (a transfer,
    or a call queued before a booking could have more than one payment)."""
    named = claimed.c.params["payment_id"].astext
    return or_(
        payments.c.id == cast(named, Uuid),
        and_(
            named.is_(None),
            payments.c.booking_id == claimed.c.booking_id,
            payments.c.move_id.is_(None),
        ),
    )


def _due(calls: FromClause) -> Select[Any]:
    """The pending calls due now that are the oldest pending call of their booking."""
    older = stripe_calls.alias()
    return select(calls.c.id).where(
        calls.c.status == "pending",
        calls.c.run_after <= func.now(),
        ~select(older.c.id)
        .where(
            older.c.booking_id == calls.c.booking_id,
            older.c.status == "pending",
            older.c.id < calls.c.id,
        )
        .exists(),
    )


_CALL_FIELDS = ("id", "booking_id", "kind", "idempotency_key", "params", "attempts", "traceparent")


def _call(row: Any) -> StripeCall:
    return StripeCall(
        id=row.call_id,
        booking_id=row.call_booking_id,
        params=params_from_json(row.call_kind, row.call_params),
        idempotency_key=row.call_idempotency_key,
        attempts=row.call_attempts,
        traceparent=row.call_traceparent,
    )


async def call_by_key(session: AsyncConnection, idempotency_key: str) -> Any:
    """A recorded call, locked: a runner claiming it waits, or is skipped, until we commit."""
    query = (
        select(stripe_calls)
        .where(stripe_calls.c.idempotency_key == idempotency_key)
        .with_for_update()
    )
    return (await session.execute(query)).first()


async def finish_call(session: AsyncConnection, call_id: int, *, status: str = "done") -> None:
    await session.execute(
        update(stripe_calls)
        .where(stripe_calls.c.id == call_id)
        .values(status=status, done_at=func.now(), updated_at=func.now())
    )


async def retry_call_later(
    session: AsyncConnection, call_id: int, *, delay_seconds: float, error: str
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
