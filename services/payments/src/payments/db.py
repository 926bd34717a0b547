"""Payments' tables and the queries over them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
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

from contracts.payments import CaptureStrategy, VoidReason
from payments.domain.disputes import Dispute, DisputeStatus
from payments.domain.payments import Payment, PaymentStatus
from payments.domain.payouts import Payout, PayoutStatus
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()


def _timestamps() -> list[Column[Any]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


payments = Table(
    "payments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booking_id", Uuid, nullable=False, unique=True),
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
    *_timestamps(),
)
Index("payments_waiting", payments.c.updated_at, postgresql_where=payments.c.status == "pending")
Index("payments_owner_captured", payments.c.owner_id, payments.c.captured_at)

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
    Column("refund_ref", Text, unique=True),
    Column("refunded_at", DateTime(timezone=True)),
    *_timestamps(),
)

voided_bookings = Table(
    "voided_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True, comment="voided before its payment was asked for"),
    Column("reason", Text, nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

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
    *_timestamps(),
)
Index("payouts_scheduled", payouts.c.not_before, postgresql_where=payouts.c.status == "scheduled")

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
    *_timestamps(),
)

owner_accounts = Table(
    "owner_accounts",
    metadata,
    Column("owner_id", Uuid, primary_key=True),
    Column("account_ref", Text, nullable=False, unique=True),
    Column("payouts_enabled", Boolean, nullable=False, server_default="false"),
    Column("synced_at", DateTime(timezone=True), comment="created time of the last event applied"),
    *_timestamps(),
)

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
    *_timestamps(),
)
Index(
    "stripe_calls_pending",
    stripe_calls.c.run_after,
    postgresql_where=stripe_calls.c.status == "pending",
)

stripe_events = Table(
    "stripe_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False, comment="when Stripe created it"),
    Column("source", Text, nullable=False, comment="webhook or reconciliation"),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reconciliation_cursors = Table(
    "reconciliation_cursors",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False, comment="unix time of Stripe's newest event"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


# --- one booking at a time -----------------------------------------------------------------

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


# --- payments -------------------------------------------------------------------------------

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
]


def _payment(row: Any) -> Payment:
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
    )


def _payment_values(payment: Payment) -> dict[str, Any]:
    values = {name: getattr(payment, name) for name in _PAYMENT_FIELDS}
    values["status"] = payment.status.value
    values["capture_strategy"] = payment.capture_strategy.value
    values["void_reason"] = payment.void_reason.value if payment.void_reason else None
    return values


async def add_payment(session: AsyncSession, payment: Payment) -> bool:
    """False when the booking already has a payment (one payment per booking)."""
    result = await session.execute(
        pg_insert(payments)
        .values(**_payment_values(payment))
        .on_conflict_do_nothing(index_elements=["booking_id"])
        .returning(payments.c.id)
    )
    return result.first() is not None


async def payment_for_booking(
    session: AsyncSession, booking_id: uuid.UUID, *, lock: bool = True
) -> Payment | None:
    """The booking's payment, locked for update so concurrent changes queue up behind us."""
    query = select(payments).where(payments.c.booking_id == booking_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return _payment(row) if row else None


async def payment_for_intent(session: AsyncSession, intent_ref: str) -> Payment | None:
    query = select(payments).where(payments.c.intent_ref == intent_ref).with_for_update()
    row = (await session.execute(query)).first()
    return _payment(row) if row else None


async def save_payment(session: AsyncSession, payment: Payment) -> None:
    values = _payment_values(payment)
    del values["id"]
    await session.execute(
        update(payments)
        .where(payments.c.id == payment.id)
        .values(**values, updated_at=func.now(), version=payments.c.version + 1)
    )


async def payments_waiting(
    session: AsyncSession, *, older_than: datetime, limit: int = 100
) -> list[str]:
    """Intents still pending longer than a webhook should take (marked checked, so each is
    re-read at most once per grace period)."""
    waiting = (
        select(payments.c.id)
        .where(
            payments.c.status == PaymentStatus.PENDING.value,
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
        .returning(payments.c.intent_ref)
    )
    return [row.intent_ref for row in rows]


# --- refunds --------------------------------------------------------------------------------


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


# --- payouts --------------------------------------------------------------------------------


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


async def add_payout(session: AsyncSession, payout: Payout) -> bool:
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


async def payout_for_booking(session: AsyncSession, booking_id: uuid.UUID) -> Payout | None:
    query = select(payouts).where(payouts.c.booking_id == booking_id).with_for_update()
    row = (await session.execute(query)).first()
    return _payout(row) if row else None


async def payout_for_transfer(session: AsyncSession, transfer_ref: str) -> Payout | None:
    query = select(payouts).where(payouts.c.transfer_ref == transfer_ref).with_for_update()
    row = (await session.execute(query)).first()
    return _payout(row) if row else None


async def save_payout(session: AsyncSession, payout: Payout, *, hold: str | None = None) -> None:
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
    session: AsyncSession, now: datetime, limit: int = 100
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
    session: AsyncSession,
    owner_id: uuid.UUID,
    *,
    statuses: Iterable[PayoutStatus] = (),
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Payout, str | None, Payment | None]]:
    """The owner's payouts (of these statuses, if named), newest first, a page of them, each
    with why it waits and the booking's payment."""
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
    paid_by = select(payments).where(payments.c.booking_id.in_(bookings))
    by_booking = {row.booking_id: _payment(row) for row in await session.execute(paid_by)}
    return [(_payout(row), row.hold, by_booking.get(row.booking_id)) for row in rows]


async def payments_captured_for_owner(
    session: AsyncSession, owner_id: uuid.UUID, since: datetime, until: datetime
) -> list[Payment]:
    """The owner's payments captured in [since, until)."""
    query = select(payments).where(
        payments.c.owner_id == owner_id,
        payments.c.captured_at >= since,
        payments.c.captured_at < until,
    )
    return [_payment(row) for row in await session.execute(query)]


# --- disputes -------------------------------------------------------------------------------


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


async def add_dispute(session: AsyncSession, dispute: Dispute) -> bool:
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


async def dispute_by_ref(session: AsyncSession, dispute_ref: str) -> Dispute | None:
    query = select(disputes).where(disputes.c.dispute_ref == dispute_ref).with_for_update()
    row = (await session.execute(query)).first()
    return _dispute(row) if row else None


async def save_dispute(session: AsyncSession, dispute: Dispute) -> None:
    await session.execute(
        update(disputes)
        .where(disputes.c.id == dispute.id)
        .values(status=dispute.status.value, updated_at=func.now())
    )


async def open_disputes(session: AsyncSession, booking_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(
            disputes.c.booking_id == booking_id, disputes.c.status == DisputeStatus.OPEN.value
        )
    )
    return int(count or 0)


# --- owner accounts -------------------------------------------------------------------------


async def owner_account(session: AsyncSession, owner_id: uuid.UUID) -> Any:
    query = select(owner_accounts).where(owner_accounts.c.owner_id == owner_id)
    return (await session.execute(query)).first()


async def owner_account_by_ref(session: AsyncSession, account_ref: str) -> Any:
    query = (
        select(owner_accounts).where(owner_accounts.c.account_ref == account_ref).with_for_update()
    )
    return (await session.execute(query)).first()


async def add_owner_account(session: AsyncSession, owner_id: uuid.UUID, account_ref: str) -> None:
    await session.execute(
        pg_insert(owner_accounts)
        .values(owner_id=owner_id, account_ref=account_ref)
        .on_conflict_do_nothing()
    )


async def set_payouts_enabled(
    session: AsyncSession, account_ref: str, enabled: bool, synced_at: datetime
) -> None:
    await session.execute(
        update(owner_accounts)
        .where(owner_accounts.c.account_ref == account_ref)
        .values(payouts_enabled=enabled, synced_at=synced_at, updated_at=func.now())
    )


# --- stripe calls and events ----------------------------------------------------------------


async def add_call(
    session: AsyncSession,
    *,
    booking_id: uuid.UUID,
    kind: str,
    idempotency_key: str,
    params: dict[str, Any] | None = None,
    traceparent: str | None = None,
) -> bool:
    """Record a Stripe call to make after commit; False when the same call is already recorded."""
    result = await session.execute(
        pg_insert(stripe_calls)
        .values(
            booking_id=booking_id,
            kind=kind,
            idempotency_key=idempotency_key,
            params=params or {},
            traceparent=traceparent,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(stripe_calls.c.id)
    )
    return result.first() is not None


async def claim_calls(session: AsyncSession, *, lease_seconds: float, limit: int = 20) -> list[Any]:
    """Take due calls for a while: the oldest pending one per booking, so calls for one booking
    run in the order they were recorded; another replica skips what is taken."""
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
    return sorted(rows.all(), key=lambda row: row.id)


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


async def record_event(
    session: AsyncSession, event_id: str, event_type: str, created: datetime, source: str
) -> bool:
    """False when this Stripe event was processed before (its effect is already committed)."""
    result = await session.execute(
        pg_insert(stripe_events)
        .values(event_id=event_id, event_type=event_type, created=created, source=source)
        .on_conflict_do_nothing()
        .returning(stripe_events.c.event_id)
    )
    return result.first() is not None


async def event_seen(session: AsyncSession, event_id: str) -> bool:
    found = await session.scalar(
        select(stripe_events.c.event_id).where(stripe_events.c.event_id == event_id)
    )
    return found is not None


async def cursor_position(session: AsyncSession, name: str) -> int | None:
    return await session.scalar(
        select(reconciliation_cursors.c.position).where(reconciliation_cursors.c.name == name)
    )


async def move_cursor(session: AsyncSession, name: str, position: int) -> None:
    statement = pg_insert(reconciliation_cursors).values(name=name, position=position)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "position": func.greatest(
                    reconciliation_cursors.c.position, statement.excluded.position
                )
            },
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
