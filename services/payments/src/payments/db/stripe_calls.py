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
    Float,
    Identity,
    Index,
    Integer,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import FromClause

from payments.db.base import insert_or_nothing, metadata, timestamps
from payments.db.payments import payment_from_row, payments
from payments.domain.payment_states import Payment
from payments.domain.stripe_calls import (
    StripeCall,
    StripeCallParams,
    UnreadableCall,
    params_from_json,
    params_to_json,
)
from service_runtime.db import DriverStatement, written

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

# Recorded, taken and finished for every step of every booking: compiled once and run on the
# driver (`DriverStatement`).
_ADD_COLUMNS = ("booking_id", "kind", "idempotency_key", "params", "traceparent")
_ADD = insert_or_nothing(
    stripe_calls, _ADD_COLUMNS, target="(idempotency_key)", returning="id, attempts"
)
# A call its recording process runs right after commit, without claiming it: taken (leased, its
# first attempt counted) as it is recorded, unless an earlier call of its booking is pending
# (which runs first: the claim keeps a booking's calls in order).
_ADD_TAKEN = DriverStatement(
    text(
        "WITH ahead AS (SELECT EXISTS (SELECT FROM stripe_calls"
        " WHERE booking_id = :booking_id AND status = 'pending') AS waits)"
        " INSERT INTO stripe_calls"
        " (booking_id, kind, idempotency_key, params, traceparent, attempts, run_after)"
        " VALUES (:booking_id, :kind, :idempotency_key, :params, :traceparent,"
        " (SELECT CASE WHEN waits THEN 0 ELSE 1 END FROM ahead),"
        " now() + (SELECT CASE WHEN waits THEN interval '0'"
        " ELSE make_interval(secs => :lease_seconds) END FROM ahead))"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, attempts"
    ).bindparams(
        *(bindparam(name, type_=stripe_calls.c[name].type) for name in _ADD_COLUMNS),
        bindparam("lease_seconds", type_=Float),
    )
)
_BY_KEY = DriverStatement(
    select(stripe_calls)
    .where(stripe_calls.c.idempotency_key == bindparam("idempotency_key"))
    .with_for_update()
)
_FINISH = DriverStatement(
    update(stripe_calls)
    .where(stripe_calls.c.id == bindparam("call_id"))
    .values(status=bindparam("status"), done_at=func.now(), updated_at=func.now())
)


async def add_call(
    session: AsyncConnection,
    *,
    booking_id: uuid.UUID,
    params: StripeCallParams,
    idempotency_key: str,
    traceparent: str | None = None,
    lease_seconds: float | None = None,
) -> tuple[int, int] | None:
    """Record a Stripe call to make after commit: its id and attempts, None when the same call
    is already recorded. With `lease_seconds` it is also taken as it is recorded (attempts 1),
    unless an earlier call of its booking is pending (attempts 0)."""
    values = {
        "booking_id": booking_id,
        "kind": params.kind.value,
        "idempotency_key": idempotency_key,
        "params": params_to_json(params),
        "traceparent": traceparent,
    }
    if lease_seconds is None:
        row = await _ADD.first(session, values)
    else:
        row = await _ADD_TAKEN.first(session, {**values, "lease_seconds": lease_seconds})
    return None if row is None else (row.id, row.attempts)


async def claim_call(
    session: AsyncConnection, *, lease_seconds: float
) -> tuple[StripeCall, Payment | None, bool] | None:
    """Take the next due call for a while, with its payment (as it is now, unlocked)
    and whether another call is due too, in one statement: the oldest pending call of a
    booking, so one booking's calls run in the order they were recorded; another replica skips
    what is taken. A call whose parameters no longer validate is failed here rather than
    retried forever, and the next one taken."""
    lease = {"lease_seconds": lease_seconds}
    while (row := await _CLAIM_ONE.first(session, lease)) is not None:
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


def _claim_one() -> Select[Any]:
    lease_seconds = bindparam("lease_seconds", type_=Float)
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


# Written, not bound, so that even a generic plan claims from `stripe_calls_pending`: with it
# bound, the claim read the whole table at every call (3,500 sequential scans, 2.8 million rows
# read in a bench run of 2,400 bookings).
_PENDING = written("pending")


def _due(calls: FromClause) -> Select[Any]:
    """The pending calls due now that are the oldest pending call of their booking."""
    older = stripe_calls.alias()
    return select(calls.c.id).where(
        calls.c.status == _PENDING,
        calls.c.run_after <= func.now(),
        ~select(older.c.id)
        .where(
            older.c.booking_id == calls.c.booking_id,
            older.c.status == _PENDING,
            older.c.id < calls.c.id,
        )
        .exists(),
    )


_CALL_FIELDS = ("id", "booking_id", "kind", "idempotency_key", "params", "attempts", "traceparent")
_CLAIM_ONE = DriverStatement(_claim_one())


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
    return await _BY_KEY.first(session, {"idempotency_key": idempotency_key})


async def finish_call(session: AsyncConnection, call_id: int, *, status: str = "done") -> None:
    await _FINISH.rows(session, {"call_id": call_id, "status": status})


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
