"""What payments' use cases need from storage, as Protocols: payments, refunds, payouts,
disputes, owner accounts and the booking's lock (the queues of Stripe calls and events are in
`stripe_queue_repositories.py`). `db/` implements them on PostgreSQL, the fast tests with
in-memory fakes. A use case sees one `PaymentsUnit`: the repositories of one transaction, its
clock reading, its outbox and its after-commit hook."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contracts import Envelope, Message
from payments.domain.disputes import Dispute
from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout, PayoutStatus
from payments.stripe_queue_repositories import StripeCalls, StripeEvents


@dataclass(frozen=True)
class IntentToRead:
    """A PaymentIntent to read at Stripe, and the trace of its booking to do it in."""

    intent_ref: str
    traceparent: str | None


@dataclass(frozen=True)
class StoredRefund:
    refund_id: uuid.UUID
    booking_id: uuid.UUID
    requested_minor: int
    amount_minor: int
    reason: str
    status: str
    """awaiting_capture (asked before the capture settled), pending, succeeded, rejected."""
    currency: str | None
    note: str | None


@dataclass(frozen=True)
class OwnerAccount:
    owner_id: uuid.UUID
    account_ref: str
    payouts_enabled: bool
    synced_at: datetime | None
    """When Stripe created the last event applied to it."""


@dataclass(frozen=True)
class RefundPart:
    """What one refund gives back from one of the booking's payments: its own Stripe refund."""

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    amount_minor: int
    status: str
    """pending, succeeded, rejected."""


class Payments(Protocol):
    async def add(self, payment: Payment) -> bool:
        """False when the booking already has a payment of that move (None: its first)."""
        ...

    async def for_booking(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None = None, *, lock: bool = True
    ) -> Payment | None:
        """The booking's payment of that move (None: its first), locked until commit unless
        told not to."""
        ...

    async def of_booking(self, booking_id: uuid.UUID, *, lock: bool = True) -> list[Payment]:
        """All the booking's payments, oldest first, locked until commit unless told not to."""
        ...

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        """The payment, locked until commit."""
        ...

    async def for_intent(self, intent_ref: str) -> Payment | None:
        """The payment of a PaymentIntent, locked until commit."""
        ...

    async def save(self, payment: Payment) -> None: ...

    async def waiting(self, *, older_than: datetime) -> list[IntentToRead]:
        """PaymentIntents still pending since before `older_than`, marked checked (so each is
        re-read at most once per grace period); another replica skips them until commit."""
        ...

    async def mark_checked(
        self, booking_id: uuid.UUID, booker_id: uuid.UUID, *, not_since: datetime
    ) -> list[IntentToRead]:
        """The PaymentIntents of the booker's payments of the booking still pending and not
        read at the booker's word since `not_since`, marked so now."""
        ...

    async def captured_for_owner(
        self, owner_id: uuid.UUID, since: datetime, until: datetime
    ) -> list[Payment]:
        """The owner's payments captured in [since, until)."""
        ...


class Bookings(Protocol):
    async def lock(self, booking_id: uuid.UUID) -> None:
        """Held to commit: one booking's commands take effect one after the other, even
        before any row of it exists."""
        ...

    async def voided(self, booking_id: uuid.UUID, move_id: uuid.UUID | None) -> str | None:
        """The reason, if booking voided the payment of that move (None: its first) before
        asking for it, or voided the booking before it had any payment."""
        ...

    async def add_voided(
        self, booking_id: uuid.UUID, move_id: uuid.UUID | None, reason: str
    ) -> None: ...


class Refunds(Protocol):
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
        """False when this refund id was seen before (a refund is applied once per id)."""
        ...

    async def get(self, refund_id: uuid.UUID) -> StoredRefund | None:
        """The refund, locked until commit."""
        ...

    async def awaiting_capture(self, booking_id: uuid.UUID) -> list[StoredRefund]:
        """Refunds asked for before the payment was captured, oldest first, locked."""
        ...

    async def settle_request(
        self, refund_id: uuid.UUID, *, amount_minor: int, status: str
    ) -> None: ...

    async def finish(self, refund_id: uuid.UUID, status: str) -> None:
        """The refund is over: succeeded (some part went through) or rejected."""
        ...

    async def add_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, amount_minor: int
    ) -> None:
        """A pending part of the refund, from that payment (once per refund and payment)."""
        ...

    async def part(self, refund_id: uuid.UUID, payment_id: uuid.UUID) -> RefundPart | None:
        """The part, locked until commit."""
        ...

    async def parts(self, refund_id: uuid.UUID) -> list[RefundPart]: ...

    async def finish_part(
        self, refund_id: uuid.UUID, payment_id: uuid.UUID, status: str, refund_ref: str | None
    ) -> None: ...

    async def pending_by_payment(self, booking_id: uuid.UUID) -> dict[uuid.UUID, int]:
        """Parts asked for but not yet done, by payment: they count against what is still
        refundable."""
        ...

    async def succeeded_minor(
        self, booking_id: uuid.UUID, payment_id: uuid.UUID | None = None
    ) -> int:
        """What the booking's succeeded parts gave back in all (of that payment only, if named)."""
        ...


class Payouts(Protocol):
    async def add(self, payout: Payout) -> bool:
        """False when the booking's payout was scheduled before (one payout per booking)."""
        ...

    async def for_booking(self, booking_id: uuid.UUID) -> Payout | None: ...

    async def for_transfer(self, transfer_ref: str) -> Payout | None: ...

    async def save(self, payout: Payout, *, hold: str | None = None) -> None: ...

    async def scheduled_due(self, now: datetime) -> list[Payout]:
        """Scheduled payouts past their not_before, oldest first, locked; another replica
        skips them."""
        ...

    async def of_owner(
        self,
        owner_id: uuid.UUID,
        *,
        statuses: Iterable[PayoutStatus] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple[Payout, str | None, list[Payment]]]:
        """The owner's payouts (of these statuses, if named), newest first, a page of them,
        each with why it waits and the booking's payments (oldest first)."""
        ...

    async def of_bookings(self, booking_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Payout]: ...


class Disputes(Protocol):
    async def add(self, dispute: Dispute) -> bool: ...

    async def by_ref(self, dispute_ref: str) -> Dispute | None: ...

    async def save(self, dispute: Dispute) -> None: ...

    async def open_count(self, booking_id: uuid.UUID) -> int: ...


class OwnerAccounts(Protocol):
    async def of_owner(self, owner_id: uuid.UUID) -> OwnerAccount | None: ...

    async def by_ref(self, account_ref: str) -> OwnerAccount | None:
        """The account, locked until commit."""
        ...

    async def add(self, owner_id: uuid.UUID, account_ref: str) -> None:
        """Nothing when the owner has an account already."""
        ...

    async def set_payouts_enabled(
        self, account_ref: str, enabled: bool, synced_at: datetime
    ) -> None: ...


class PaymentsUnit(Protocol):
    """One transaction of payments: its repositories, its clock reading, its outbox, and what
    to do once it has committed (wake a background worker)."""

    payments: Payments
    bookings: Bookings
    refunds: Refunds
    payouts: Payouts
    disputes: Disputes
    owner_accounts: OwnerAccounts
    stripe_calls: StripeCalls
    stripe_events: StripeEvents
    now: datetime

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope: ...

    def after_commit(self, callback: Callable[[], None]) -> None: ...


class PaymentsUnits(Protocol):
    def begin(self) -> AbstractAsyncContextManager[PaymentsUnit]: ...

    def one_statement(self) -> AbstractAsyncContextManager[PaymentsUnit]:
        """A unit outside any transaction, each statement committed on its own: for work that
        one statement does atomically (a claim); it publishes nothing."""
        ...
