"""In-memory repositories behind payments' unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: one payment per booking and move, a refund
id recorded once and a refund's part once per payment (here), one payout per booking
(`fakes_payouts.py`), one queued call per idempotency key, leased to one runner at a time,
and a Stripe event stored once and processed once (`fakes_stripe_queues.py`). Locks are
no-ops: fake units run one at a time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from contracts import Envelope, Message
from payments.domain.disputes import Dispute
from payments.domain.payment_states import Payment, PaymentStatus
from payments.domain.payouts import Payout
from payments.repositories import (
    Bookings,
    Disputes,
    IntentToRead,
    OwnerAccount,
    OwnerAccounts,
    Payments,
    PaymentsUnit,
    Payouts,
    RefundPart,
    Refunds,
    StoredRefund,
)
from payments.stripe_queue_repositories import StripeCalls, StripeEvents
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork

from .fakes_payouts import FakeDisputes, FakeOwnerAccounts, FakePayouts
from .fakes_stripe_queues import EventRow, FakeStripeCalls, FakeStripeEvents, QueuedCall

WAITING_LIMIT = 100
"""As many waiting payments as the SQL's sweep takes at once."""


@dataclass
class PaymentsTables:
    payments: dict[uuid.UUID, Payment] = field(default_factory=dict)
    """By `payment_key`: the booking's id for its first payment, the move's for a move's; in
    the order added, which is the SQL's oldest first."""
    payments_updated: dict[uuid.UUID, datetime] = field(default_factory=dict)
    payments_checked: dict[uuid.UUID, datetime] = field(default_factory=dict)
    payments_card_checked: dict[uuid.UUID, datetime] = field(default_factory=dict)
    """When reconciliation last took each payment to re-read it."""
    voided_bookings: dict[tuple[uuid.UUID, uuid.UUID | None], str] = field(default_factory=dict)
    refunds: dict[uuid.UUID, StoredRefund] = field(default_factory=dict)  # in the order added
    refund_parts: dict[tuple[uuid.UUID, uuid.UUID], RefundPart] = field(default_factory=dict)
    refund_refs: dict[tuple[uuid.UUID, uuid.UUID], str] = field(default_factory=dict)
    payouts: dict[uuid.UUID, Payout] = field(default_factory=dict)
    payout_holds: dict[uuid.UUID, str | None] = field(default_factory=dict)
    disputes: dict[uuid.UUID, Dispute] = field(default_factory=dict)
    owner_accounts: dict[uuid.UUID, OwnerAccount] = field(default_factory=dict)
    calls: list[QueuedCall] = field(default_factory=list)
    events: dict[str, EventRow] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)

    def calls_of(self, booking_id: uuid.UUID) -> list[QueuedCall]:
        return [call for call in self.calls if call.booking_id == booking_id]

    def of_booking(self, booking_id: uuid.UUID) -> list[Payment]:
        return [p for p in self.payments.values() if p.booking_id == booking_id]


def payment_key(payment: Payment) -> uuid.UUID:
    """Where the fake keeps a payment: a move's id is as unique as a booking's."""
    return payment.move_id or payment.booking_id


class FakePayments:
    def __init__(self, tables: PaymentsTables, now: datetime) -> None:
        self._t = tables
        self._now = now

    async def add(self, payment: Payment) -> bool:
        if payment_key(payment) in self._t.payments:
            return False
        self._t.payments[payment_key(payment)] = payment
        self._t.payments_updated[payment.id] = self._now
        return True

    async def for_booking(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None = None, *, lock: bool = True
    ) -> Payment | None:
        found = self._t.payments.get(move_id or booking_id)
        return found if found is not None and found.booking_id == booking_id else None

    async def of_booking(self, booking_id: uuid.UUID, *, lock: bool = True) -> list[Payment]:
        return self._t.of_booking(booking_id)

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        return next((p for p in self._t.payments.values() if p.id == payment_id), None)

    async def for_intent(self, intent_ref: str) -> Payment | None:
        found = (p for p in self._t.payments.values() if p.intent_ref == intent_ref)
        return next(found, None)

    async def save(self, payment: Payment) -> None:
        if self._t.payments.get(payment_key(payment), payment).id == payment.id:
            self._t.payments[payment_key(payment)] = payment
            self._t.payments_updated[payment.id] = self._now

    async def waiting(self, *, older_than: datetime) -> list[IntentToRead]:
        waiting = [
            p
            for p in self._t.payments.values()
            if p.status is PaymentStatus.PENDING
            and p.intent_ref is not None
            and self._last_seen(p.id) < older_than
        ][:WAITING_LIMIT]
        for payment in waiting:
            self._t.payments_checked[payment.id] = self._now
        return [IntentToRead(p.intent_ref, None) for p in waiting if p.intent_ref is not None]

    async def mark_checked(
        self, booking_id: uuid.UUID, booker_id: uuid.UUID, *, not_since: datetime
    ) -> list[IntentToRead]:
        due = [
            p
            for p in self._t.of_booking(booking_id)
            if p.booker_id == booker_id
            and p.status is PaymentStatus.PENDING
            and p.intent_ref is not None
            and self._t.payments_card_checked.get(p.id, not_since - timedelta(1)) < not_since
        ]
        for payment in due:
            self._t.payments_card_checked[payment.id] = self._now
        return [IntentToRead(p.intent_ref, None) for p in due if p.intent_ref is not None]

    def _last_seen(self, payment_id: uuid.UUID) -> datetime:
        """coalesce(checked_at, updated_at), as the SQL reads it."""
        updated = self._t.payments_updated.get(payment_id, self._now)
        return self._t.payments_checked.get(payment_id, updated)

    async def captured_for_owner(
        self, owner_id: uuid.UUID, since: datetime, until: datetime
    ) -> list[Payment]:
        return [
            p
            for p in self._t.payments.values()
            if p.owner_id == owner_id
            and p.captured_at is not None
            and since <= p.captured_at < until
        ]


class FakeBookings:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def lock(self, booking_id: uuid.UUID) -> None:
        """Nothing to wait for: fake units run one at a time."""

    async def voided(self, booking_id: uuid.UUID, move_id: uuid.UUID | None) -> str | None:
        voids = self._t.voided_bookings
        return voids.get((booking_id, None)) or voids.get((booking_id, move_id))

    async def add_voided(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None, reason: str
    ) -> None:
        self._t.voided_bookings.setdefault((booking_id, move_id), reason)


class FakeRefunds:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(
        self,
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
        if refund_id in self._t.refunds:
            return False
        self._t.refunds[refund_id] = StoredRefund(
            refund_id, booking_id, requested_minor, amount_minor, reason, status, currency, note
        )
        return True

    async def get(self, refund_id: uuid.UUID) -> StoredRefund | None:
        return self._t.refunds.get(refund_id)

    async def awaiting_capture(self, booking_id: uuid.UUID) -> list[StoredRefund]:
        return self._of(booking_id, "awaiting_capture")

    async def settle_request(self, refund_id: uuid.UUID, *, amount_minor: int, status: str) -> None:
        kept = self._t.refunds[refund_id]
        self._t.refunds[refund_id] = replace(kept, amount_minor=amount_minor, status=status)

    async def finish(self, refund_id: uuid.UUID, status: str) -> None:
        self._t.refunds[refund_id] = replace(self._t.refunds[refund_id], status=status)

    async def add_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, amount_minor: int
    ) -> None:
        part = RefundPart(refund_id, payment_id, amount_minor, "pending")
        self._t.refund_parts.setdefault((refund_id, payment_id), part)

    async def part(self, refund_id: uuid.UUID, payment_id: uuid.UUID) -> RefundPart | None:
        return self._t.refund_parts.get((refund_id, payment_id))

    async def parts(self, refund_id: uuid.UUID) -> list[RefundPart]:
        return [part for part in self._t.refund_parts.values() if part.refund_id == refund_id]

    async def finish_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, status: str, refund_ref: str | None
    ) -> None:
        key = (refund_id, payment_id)
        self._t.refund_parts[key] = replace(self._t.refund_parts[key], status=status)
        if refund_ref is not None:
            self._t.refund_refs[key] = refund_ref

    async def pending_by_payment(self, booking_id: uuid.UUID) -> dict[uuid.UUID, int]:
        pending: dict[uuid.UUID, int] = {}
        for part in self._parts_of(booking_id, "pending"):
            pending[part.payment_id] = pending.get(part.payment_id, 0) + part.amount_minor
        return pending

    async def succeeded_minor(
        self, booking_id: uuid.UUID, payment_id: uuid.UUID | None = None
    ) -> int:
        return sum(
            part.amount_minor
            for part in self._parts_of(booking_id, "succeeded")
            if payment_id in (None, part.payment_id)
        )

    def _of(self, booking_id: uuid.UUID, status: str) -> list[StoredRefund]:
        return [
            r for r in self._t.refunds.values() if (r.booking_id, r.status) == (booking_id, status)
        ]

    def _parts_of(self, booking_id: uuid.UUID, status: str) -> list[RefundPart]:
        return [
            part
            for part in self._t.refund_parts.values()
            if part.status == status and self._t.refunds[part.refund_id].booking_id == booking_id
        ]


class FakePaymentsUnit:
    def __init__(self, uow: FakeUnitOfWork[PaymentsTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.payments: Payments = FakePayments(uow.state, uow.now)
        self.bookings: Bookings = FakeBookings(uow.state)
        self.refunds: Refunds = FakeRefunds(uow.state)
        self.payouts: Payouts = FakePayouts(uow.state)
        self.disputes: Disputes = FakeDisputes(uow.state)
        self.owner_accounts: OwnerAccounts = FakeOwnerAccounts(uow.state)
        self.stripe_calls: StripeCalls = FakeStripeCalls(uow.state, uow.now)
        self.stripe_events: StripeEvents = FakeStripeEvents(uow.state, uow.now)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._uow.after_commit(callback)


class FakePaymentsUnits:
    """Payments' units of work over in-memory tables: `tables` is what committed, `outbox`
    what committed units published."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self.outbox = FakeUnitsOfWork(PaymentsTables(), clock=clock)

    @property
    def tables(self) -> PaymentsTables:
        return self.outbox.state

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[PaymentsUnit]:
        async with self.outbox.begin() as uow:
            yield FakePaymentsUnit(uow)

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[PaymentsUnit]:
        async with self.outbox.one_statement() as uow:
            yield FakePaymentsUnit(uow)
