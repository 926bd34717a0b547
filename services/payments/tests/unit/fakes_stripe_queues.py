"""In-memory queues of Stripe calls and Stripe events, keeping the SQL's promises: one call
per idempotency key (taken as it is queued when asked, unless one of its booking is pending),
taken one at a time with its booking's payment, by one runner at a time under a lease (the
oldest pending call of a booking first, its attempt counted), an event stored once, taken
oldest first with its booking's trace, processed once, given up on after its last attempt (and
taken again after its lease)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from payments.domain.payment_states import Payment
from payments.domain.stripe_calls import StripeCall, StripeCallParams
from payments.provider import ProviderEvent
from payments.stripe_queue_repositories import (
    ClaimedCall,
    ClaimedEvent,
    MarkedEvent,
    RecordedCall,
)

if TYPE_CHECKING:
    from .fakes import PaymentsTables


@dataclass
class QueuedCall:
    id: int
    booking_id: uuid.UUID
    params: StripeCallParams
    idempotency_key: str
    run_after: datetime
    traceparent: str | None = None
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None


@dataclass
class EventRow:
    event: ProviderEvent
    source: str
    processed: bool = False
    failed: bool = False
    attempts: int = 0
    last_error: str | None = None
    leased_until: datetime | None = None


class FakeStripeCalls:
    def __init__(self, tables: PaymentsTables, now: datetime) -> None:
        self._t = tables
        self._now = now

    async def add(
        self,
        *,
        booking_id: uuid.UUID,
        params: StripeCallParams,
        idempotency_key: str,
        traceparent: str | None = None,
        lease_seconds: float | None = None,
    ) -> RecordedCall | None:
        if self._by_key(idempotency_key) is not None:
            return None
        call_id = len(self._t.calls) + 1
        call = QueuedCall(call_id, booking_id, params, idempotency_key, self._now, traceparent)
        ahead = any(c.booking_id == booking_id and c.status == "pending" for c in self._t.calls)
        if lease_seconds is not None and not ahead:  # taken as it is queued
            call.attempts = 1
            call.run_after = self._now + timedelta(seconds=lease_seconds)
        self._t.calls.append(call)
        return RecordedCall(call.id, call.status, call.attempts)

    async def by_key(self, idempotency_key: str) -> RecordedCall | None:
        call = self._by_key(idempotency_key)
        return RecordedCall(call.id, call.status, call.attempts) if call else None

    async def claim(self, *, lease_seconds: float) -> ClaimedCall | None:
        due = self._due()
        if not due:
            return None
        call, more_due = due[0], len(due) > 1
        call.attempts += 1
        call.run_after = self._now + timedelta(seconds=lease_seconds)
        taken = StripeCall(
            call.id,
            call.booking_id,
            call.params,
            call.idempotency_key,
            call.attempts,
            call.traceparent,
        )
        return ClaimedCall(taken, self._payment_of(taken), more_due)

    def _payment_of(self, call: StripeCall) -> Payment | None:
        """The payment the call names, or the booking's first (as the SQL joins it)."""
        payment_id = getattr(call.params, "payment_id", None)
        for payment in self._t.of_booking(call.booking_id):
            if payment.id == payment_id or (payment_id is None and payment.move_id is None):
                return payment
        return None

    def _due(self) -> list[QueuedCall]:
        """Pending calls due now, each the oldest pending call of its booking, oldest first."""
        behind: set[uuid.UUID] = set()
        due = []
        for call in self._t.calls:
            if call.status != "pending" or call.booking_id in behind:
                continue
            behind.add(call.booking_id)  # the booking's later calls wait for this one
            if call.run_after <= self._now:
                due.append(call)
        return due

    async def finish(self, call_id: int, *, status: str = "done") -> None:
        self._by_id(call_id).status = status

    async def retry_later(self, call_id: int, *, delay_seconds: float, error: str) -> None:
        call = self._by_id(call_id)
        call.run_after = self._now + timedelta(seconds=delay_seconds)
        call.last_error = error[:2000]

    def _by_key(self, idempotency_key: str) -> QueuedCall | None:
        return next((c for c in self._t.calls if c.idempotency_key == idempotency_key), None)

    def _by_id(self, call_id: int) -> QueuedCall:
        [call] = [c for c in self._t.calls if c.id == call_id]
        return call


class FakeStripeEvents:
    def __init__(self, tables: PaymentsTables, now: datetime) -> None:
        self._t = tables
        self._now = now

    async def store(self, event: ProviderEvent, source: str) -> bool:
        if event.id in self._t.events:
            return False
        self._t.events[event.id] = EventRow(event, source)
        return True

    async def store_processed_in_trace(
        self, event: ProviderEvent, source: str
    ) -> MarkedEvent | None:
        if not await self.store(event, source):
            return None
        return await self.mark_processed_in_trace(event.id)

    async def stored_among(self, event_ids: list[str]) -> set[str]:
        return {event_id for event_id in event_ids if event_id in self._t.events}

    async def claim(self, *, lease_seconds: float) -> ClaimedEvent | None:
        due = [
            row
            for row in self._t.events.values()
            if not (row.processed or row.failed)
            and (row.leased_until is None or row.leased_until <= self._now)
        ]
        if not due:
            return None
        row = min(due, key=lambda row: row.event.created)  # the first stored of the oldest
        row.leased_until = self._now + timedelta(seconds=lease_seconds)
        return ClaimedEvent(row.event, self._booking_traceparent(row.event), len(due) > 1)

    def _booking_traceparent(self, event: ProviderEvent) -> str | None:
        """That of the first call of the booking whose PaymentIntent the event names."""
        intent_ref = event.intent_ref
        payments = [p for p in self._t.payments.values() if p.intent_ref == intent_ref]
        calls = [c for p in payments for c in self._t.calls_of(p.booking_id)]
        return calls[0].traceparent if intent_ref is not None and calls else None

    async def mark_processed(self, event_id: str) -> bool:
        row = self._t.events[event_id]
        first = not row.processed
        row.processed = True
        return first

    async def mark_processed_in_trace(self, event_id: str) -> MarkedEvent | None:
        if not await self.mark_processed(event_id):
            return None
        return MarkedEvent(self._booking_traceparent(self._t.events[event_id].event))

    async def record_failure(
        self, event_id: str, error: str, *, max_attempts: int, retry_in_seconds: float
    ) -> bool:
        row = self._t.events[event_id]
        if row.processed:
            return False
        row.attempts += 1
        row.last_error = error
        row.leased_until = self._now + timedelta(seconds=retry_in_seconds)
        row.failed = row.attempts >= max_attempts
        return row.failed

    async def cursor(self, name: str) -> int | None:
        return self._t.cursors.get(name)

    async def move_cursor(self, name: str, position: int) -> None:
        self._t.cursors[name] = max(self._t.cursors.get(name, position), position)
