"""The payments table: a booking's first payment and one per dearer move."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from contracts.payments import CaptureStrategy, VoidReason
from payments.db.base import insert_or_nothing, metadata, timestamps
from payments.domain.payment_states import Payment, PaymentStatus
from payments.repositories import IntentToRead
from service_runtime.db import DriverStatement, written
from service_runtime.tracing import current_traceparent

payments = Table(
    "payments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booking_id", Uuid, nullable=False),
    Column("move_id", Uuid, comment="the move whose difference it is; NULL: the booking's first"),
    Column("booker_id", Uuid, nullable=False),
    Column("owner_id", Uuid, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("quoted_fee_minor", BigInteger, nullable=False),
    Column("capture_strategy", Text, nullable=False),
    Column("session_ends_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("intent_ref", Text, unique=True),
    Column("client_secret", Text),
    Column("charge_ref", Text),
    Column("authorized_at", DateTime(timezone=True)),
    Column("authorization_expires_at", DateTime(timezone=True)),
    Column("captured_minor", BigInteger, nullable=False, server_default="0"),
    Column("fee_minor", BigInteger, nullable=False, server_default="0"),
    Column("captured_at", DateTime(timezone=True)),
    Column("refunded_minor", BigInteger, nullable=False, server_default="0"),
    Column("void_reason", Text),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("checked_at", DateTime(timezone=True), comment="last re-read from Stripe"),
    Column(
        "card_checked_at",
        DateTime(timezone=True),
        comment="last read from Stripe at the booker's word (card-confirmed)",
    ),
    Column(
        "traceparent",
        Text,
        comment="the trace it was asked for in; Stripe's events about the booking join the first's",
    ),
    *timestamps(),
    # One payment per booking and move, the first (NULL) included.
    UniqueConstraint(
        "booking_id", "move_id", name="payments_booking_move", postgresql_nulls_not_distinct=True
    ),
)
Index("payments_waiting", payments.c.updated_at, postgresql_where=payments.c.status == "pending")
Index("payments_owner_captured", payments.c.owner_id, payments.c.captured_at)

OLDEST_FIRST = (payments.c.move_id.is_not(None), payments.c.created_at, payments.c.id)
"""A booking's payments in the order they were asked for: the first, then the moves'."""


_PAYMENT_FIELDS = [
    "id",
    "booking_id",
    "booker_id",
    "owner_id",
    "currency",
    "amount_minor",
    "quoted_fee_minor",
    "capture_strategy",
    "session_ends_at",
    "status",
    "intent_ref",
    "client_secret",
    "charge_ref",
    "authorized_at",
    "authorization_expires_at",
    "captured_minor",
    "fee_minor",
    "captured_at",
    "refunded_minor",
    "void_reason",
    "move_id",
]


def payment_from_row(row: Any) -> Payment:
    return Payment(
        id=row.id,
        booking_id=row.booking_id,
        booker_id=row.booker_id,
        owner_id=row.owner_id,
        currency=row.currency,
        amount_minor=row.amount_minor,
        quoted_fee_minor=row.quoted_fee_minor,
        capture_strategy=CaptureStrategy(row.capture_strategy),
        session_ends_at=row.session_ends_at,
        status=PaymentStatus(row.status),
        intent_ref=row.intent_ref,
        client_secret=row.client_secret,
        charge_ref=row.charge_ref,
        authorized_at=row.authorized_at,
        authorization_expires_at=row.authorization_expires_at,
        captured_minor=row.captured_minor,
        fee_minor=row.fee_minor,
        captured_at=row.captured_at,
        refunded_minor=row.refunded_minor,
        void_reason=VoidReason(row.void_reason) if row.void_reason else None,
        move_id=row.move_id,
    )


def _payment_values(payment: Payment) -> dict[str, Any]:
    values = {name: getattr(payment, name) for name in _PAYMENT_FIELDS}
    values["status"] = payment.status.value
    values["capture_strategy"] = payment.capture_strategy.value
    values["void_reason"] = payment.void_reason.value if payment.void_reason else None
    return values


def booking_trace(booking_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The trace of a booking, which Stripe's events about it and the re-reads of its payments
    join: that of its first payment."""
    first = payments.alias("first_payment")
    return (
        select(first.c.traceparent)
        .where(first.c.booking_id == booking_id, first.c.move_id.is_(None))
        .correlate(payments)
        .scalar_subquery()
    )


# Every booking's commands, calls and events load and save its payments: these statements are
# compiled once and run on the driver (`DriverStatement`).
_ADD = insert_or_nothing(
    payments,
    [*_PAYMENT_FIELDS, "traceparent"],
    target="ON CONSTRAINT payments_booking_move",
    returning="id",
)
_ALL_OF_MOVE = select(payments).where(
    payments.c.booking_id == bindparam("booking_id"),
    payments.c.move_id.is_not_distinct_from(bindparam("move_id")),
)
_OF_MOVE = DriverStatement(_ALL_OF_MOVE)
_OF_MOVE_LOCKED = DriverStatement(_ALL_OF_MOVE.with_for_update())
_ALL_OF_BOOKING = (
    select(payments).where(payments.c.booking_id == bindparam("booking_id")).order_by(*OLDEST_FIRST)
)
_OF_BOOKING = DriverStatement(_ALL_OF_BOOKING)
_OF_BOOKING_LOCKED = DriverStatement(_ALL_OF_BOOKING.with_for_update())
_BY_ID = DriverStatement(
    select(payments).where(payments.c.id == bindparam("payment_id")).with_for_update()
)
# Every booking paid in a browser asks for it once.
_MARK_CARD_CHECKED = DriverStatement(
    update(payments)
    .where(
        payments.c.booking_id == bindparam("booking_id"),
        payments.c.booker_id == bindparam("booker_id"),
        payments.c.status == written(PaymentStatus.PENDING.value),
        payments.c.intent_ref.is_not(None),
        or_(
            payments.c.card_checked_at.is_(None),
            payments.c.card_checked_at < bindparam("not_since", type_=DateTime(timezone=True)),
        ),
    )
    .values(card_checked_at=func.now())
    .returning(payments.c.intent_ref, booking_trace(payments.c.booking_id).label("traceparent"))
)
_FOR_INTENT = DriverStatement(
    select(payments).where(payments.c.intent_ref == bindparam("intent_ref")).with_for_update()
)
# Not bound as "id": UPDATE keeps its columns' names for the values it sets.
_SAVE = DriverStatement(
    update(payments)
    .where(payments.c.id == bindparam("payment_id"))
    .values(
        {name: bindparam(name) for name in _PAYMENT_FIELDS if name != "id"}
        | {"updated_at": func.now(), "version": payments.c.version + 1}
    )
)


async def add_payment(session: AsyncConnection, payment: Payment) -> bool:
    """False when the booking already has a payment of that move. The payment keeps the trace
    it is asked for in."""
    values = _payment_values(payment) | {"traceparent": current_traceparent()}
    return await _ADD.first(session, values) is not None


async def payment_for_booking(
    session: AsyncConnection,
    booking_id: uuid.UUID,
    move_id: uuid.UUID | None = None,
    *,
    lock: bool = True,
) -> Payment | None:
    """The booking's payment of that move, locked for update so concurrent changes queue up
    behind us."""
    query = _OF_MOVE_LOCKED if lock else _OF_MOVE
    row = await query.first(session, {"booking_id": booking_id, "move_id": move_id})
    return payment_from_row(row) if row else None


async def payments_of_booking(
    session: AsyncConnection, booking_id: uuid.UUID, *, lock: bool = True
) -> list[Payment]:
    """The booking's payments, oldest first (the first one first)."""
    query = _OF_BOOKING_LOCKED if lock else _OF_BOOKING
    rows = await query.rows(session, {"booking_id": booking_id})
    return [payment_from_row(row) for row in rows]


async def payment_by_id(session: AsyncConnection, payment_id: uuid.UUID) -> Payment | None:
    row = await _BY_ID.first(session, {"payment_id": payment_id})
    return payment_from_row(row) if row else None


async def payment_for_intent(session: AsyncConnection, intent_ref: str) -> Payment | None:
    row = await _FOR_INTENT.first(session, {"intent_ref": intent_ref})
    return payment_from_row(row) if row else None


async def save_payment(session: AsyncConnection, payment: Payment) -> None:
    values = _payment_values(payment)
    values["payment_id"] = values.pop("id")
    await _SAVE.rows(session, values)


async def payments_waiting(
    session: AsyncConnection, *, older_than: datetime, limit: int = 100
) -> list[IntentToRead]:
    """Intents still pending longer than a webhook should take (marked checked, so each is
    re-read at most once per grace period)."""
    waiting = (
        select(payments.c.id)
        .where(
            payments.c.status == written(PaymentStatus.PENDING.value),  # payments_waiting
            payments.c.intent_ref.is_not(None),
            func.coalesce(payments.c.checked_at, payments.c.updated_at) < older_than,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = await session.execute(
        update(payments)
        .where(payments.c.id.in_(waiting.scalar_subquery()))
        .values(checked_at=func.now())
        .returning(payments.c.intent_ref, booking_trace(payments.c.booking_id).label("traceparent"))
    )
    return [IntentToRead(row.intent_ref, row.traceparent) for row in rows]


async def mark_payments_checked(
    session: AsyncConnection, booking_id: uuid.UUID, booker_id: uuid.UUID, *, not_since: datetime
) -> list[IntentToRead]:
    """The intents of the booker's payments of the booking still pending and not read at the
    booker's word since `not_since`, marked so; a concurrent caller waits for this one's
    commit, then finds them marked. Apart from reconciliation's mark: neither holds the other
    back."""
    rows = await _MARK_CARD_CHECKED.rows(
        session, {"booking_id": booking_id, "booker_id": booker_id, "not_since": not_since}
    )
    return [IntentToRead(row.intent_ref, row.traceparent) for row in rows]


async def payments_captured_for_owner(
    session: AsyncConnection, owner_id: uuid.UUID, since: datetime, until: datetime
) -> list[Payment]:
    """The owner's payments captured in [since, until)."""
    query = select(payments).where(
        payments.c.owner_id == owner_id,
        payments.c.captured_at >= since,
        payments.c.captured_at < until,
    )
    return [payment_from_row(row) for row in await session.execute(query)]
