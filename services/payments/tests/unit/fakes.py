"""In-memory repositories behind payments' unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: one payment per booking, a refund id
recorded once, one payout per booking, one queued call per idempotency key, a Stripe event
stored once and processed once. Locks are no-ops: fake units run one at a time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from contracts import Envelope, Message
from payments.domain.disputes import Dispute, DisputeStatus
from payments.domain.payments import Payment
from payments.domain.payouts import Payout, PayoutStatus
from payments.domain.stripe_calls import StripeCallParams
from payments.provider import ProviderEvent
from payments.repositories import (
    Bookings,
    Disputes,
    OwnerAccount,
    OwnerAccounts,
    Payments,
    PaymentsUnit,
    Payouts,
    RecordedCall,
    Refunds,
    StoredRefund,
    StripeCalls,
    StripeEvents,
)
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork


@dataclass
class QueuedCall:
    id: int
    booking_id: uuid.UUID
    params: StripeCallParams
    idempotency_key: str
    status: str = "pending"
    attempts: int = 0


@dataclass
class EventRow:
    event: ProviderEvent
    source: str
    processed: bool = False
    failed: bool = False
    attempts: int = 0
    last_error: str | None = None
    leased_until: datetime | None = None


@dataclass
class PaymentsTables:
    payments: dict[uuid.UUID, Payment] = field(default_factory=dict)
    voided_bookings: dict[uuid.UUID, str] = field(default_factory=dict)
    refunds: dict[uuid.UUID, StoredRefund] = field(default_factory=dict)  # in the order added
    payouts: dict[uuid.UUID, Payout] = field(default_factory=dict)
    payout_holds: dict[uuid.UUID, str | None] = field(default_factory=dict)
    disputes: dict[uuid.UUID, Dispute] = field(default_factory=dict)
    owner_accounts: dict[uuid.UUID, OwnerAccount] = field(default_factory=dict)
    calls: list[QueuedCall] = field(default_factory=list)
    events: dict[str, EventRow] = field(default_factory=dict)

    def calls_of(self, booking_id: uuid.UUID) -> list[QueuedCall]:
        return [call for call in self.calls if call.booking_id == booking_id]


class FakePayments:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(self, payment: Payment) -> bool:
        if payment.booking_id in self._t.payments:
            return False
        self._t.payments[payment.booking_id] = payment
        return True

    async def for_booking(self, booking_id: uuid.UUID, *, lock: bool = True) -> Payment | None:
        return self._t.payments.get(booking_id)

    async def for_intent(self, intent_ref: str) -> Payment | None:
        found = (p for p in self._t.payments.values() if p.intent_ref == intent_ref)
        return next(found, None)

    async def save(self, payment: Payment) -> None:
        if self._t.payments.get(payment.booking_id, payment).id == payment.id:
            self._t.payments[payment.booking_id] = payment


class FakeBookings:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def lock(self, booking_id: uuid.UUID) -> None:
        """Nothing to wait for: fake units run one at a time."""

    async def voided(self, booking_id: uuid.UUID) -> bool:
        return booking_id in self._t.voided_bookings

    async def add_voided(self, booking_id: uuid.UUID, reason: str) -> None:
        self._t.voided_bookings.setdefault(booking_id, reason)


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

    async def pending_minor(self, booking_id: uuid.UUID) -> int:
        return sum(r.amount_minor for r in self._of(booking_id, "pending"))

    def _of(self, booking_id: uuid.UUID, status: str) -> list[StoredRefund]:
        return [
            r for r in self._t.refunds.values() if (r.booking_id, r.status) == (booking_id, status)
        ]


class FakePayouts:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(self, payout: Payout) -> bool:
        if payout.booking_id in self._t.payouts:
            return False
        self._t.payouts[payout.booking_id] = payout
        return True

    async def for_booking(self, booking_id: uuid.UUID) -> Payout | None:
        return self._t.payouts.get(booking_id)

    async def for_transfer(self, transfer_ref: str) -> Payout | None:
        found = (p for p in self._t.payouts.values() if p.transfer_ref == transfer_ref)
        return next(found, None)

    async def save(self, payout: Payout, *, hold: str | None = None) -> None:
        if payout.booking_id in self._t.payouts:
            # The owner, booking and date are fixed when scheduled, as the SQL update leaves them.
            kept = self._t.payouts[payout.booking_id]
            self._t.payouts[payout.booking_id] = replace(
                payout, owner_id=kept.owner_id, not_before=kept.not_before
            )
            self._t.payout_holds[payout.booking_id] = hold

    async def scheduled_due(self, now: datetime) -> list[Payout]:
        due = [
            p
            for p in self._t.payouts.values()
            if p.status is PayoutStatus.SCHEDULED and p.not_before <= now
        ]
        return sorted(due, key=lambda p: p.not_before)


class FakeDisputes:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(self, dispute: Dispute) -> bool:
        if await self.by_ref(dispute.dispute_ref) is not None:
            return False
        self._t.disputes[dispute.id] = dispute
        return True

    async def by_ref(self, dispute_ref: str) -> Dispute | None:
        found = (d for d in self._t.disputes.values() if d.dispute_ref == dispute_ref)
        return next(found, None)

    async def save(self, dispute: Dispute) -> None:
        kept = self._t.disputes[dispute.id]
        self._t.disputes[dispute.id] = replace(kept, status=dispute.status)

    async def open_count(self, booking_id: uuid.UUID) -> int:
        return sum(
            d.booking_id == booking_id and d.status is DisputeStatus.OPEN
            for d in self._t.disputes.values()
        )


class FakeOwnerAccounts:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def of_owner(self, owner_id: uuid.UUID) -> OwnerAccount | None:
        return self._t.owner_accounts.get(owner_id)

    async def by_ref(self, account_ref: str) -> OwnerAccount | None:
        found = (a for a in self._t.owner_accounts.values() if a.account_ref == account_ref)
        return next(found, None)

    async def add(self, owner_id: uuid.UUID, account_ref: str) -> None:
        self._t.owner_accounts.setdefault(
            owner_id, OwnerAccount(owner_id, account_ref, False, None)
        )

    async def set_payouts_enabled(
        self, account_ref: str, enabled: bool, synced_at: datetime
    ) -> None:
        account = await self.by_ref(account_ref)
        if account is not None:
            self._t.owner_accounts[account.owner_id] = replace(
                account, payouts_enabled=enabled, synced_at=synced_at
            )


class FakeStripeCalls:
    def __init__(self, tables: PaymentsTables) -> None:
        self._t = tables

    async def add(
        self,
        *,
        booking_id: uuid.UUID,
        params: StripeCallParams,
        idempotency_key: str,
        traceparent: str | None = None,
    ) -> bool:
        if await self._by_key(idempotency_key) is not None:
            return False
        call_id = len(self._t.calls) + 1
        self._t.calls.append(QueuedCall(call_id, booking_id, params, idempotency_key))
        return True

    async def by_key(self, idempotency_key: str) -> RecordedCall | None:
        call = await self._by_key(idempotency_key)
        return RecordedCall(call.id, call.status, call.attempts) if call else None

    async def finish(self, call_id: int, *, status: str = "done") -> None:
        [call] = [c for c in self._t.calls if c.id == call_id]
        call.status = status

    async def booking_traceparent(self, intent_ref: str | None) -> str | None:
        return None

    async def _by_key(self, idempotency_key: str) -> QueuedCall | None:
        return next((c for c in self._t.calls if c.idempotency_key == idempotency_key), None)


class FakeStripeEvents:
    def __init__(self, tables: PaymentsTables, now: datetime) -> None:
        self._t = tables
        self._now = now

    async def store(self, event: ProviderEvent, source: str) -> bool:
        if event.id in self._t.events:
            return False
        self._t.events[event.id] = EventRow(event, source)
        return True

    async def claim(self, *, lease_seconds: float) -> list[ProviderEvent]:
        due = [
            row
            for row in self._t.events.values()
            if not (row.processed or row.failed)
            and (row.leased_until is None or row.leased_until <= self._now)
        ]
        for row in due:
            row.leased_until = self._now + timedelta(seconds=lease_seconds)
        return [row.event for row in sorted(due, key=lambda row: row.event.created)]

    async def mark_processed(self, event_id: str) -> bool:
        row = self._t.events[event_id]
        first = not row.processed
        row.processed = True
        return first

    async def record_failure(self, event_id: str, error: str, *, max_attempts: int) -> bool:
        row = self._t.events[event_id]
        if row.processed:
            return False
        row.attempts += 1
        row.last_error = error
        row.failed = row.attempts >= max_attempts
        return row.failed


class FakePaymentsUnit:
    def __init__(self, uow: FakeUnitOfWork[PaymentsTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.payments: Payments = FakePayments(uow.state)
        self.bookings: Bookings = FakeBookings(uow.state)
        self.refunds: Refunds = FakeRefunds(uow.state)
        self.payouts: Payouts = FakePayouts(uow.state)
        self.disputes: Disputes = FakeDisputes(uow.state)
        self.owner_accounts: OwnerAccounts = FakeOwnerAccounts(uow.state)
        self.stripe_calls: StripeCalls = FakeStripeCalls(uow.state)
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
