"""What payments' queues of Stripe work need from storage, as Protocols: the Stripe calls
recorded to be made after commit (taken one at a time under a lease) and the Stripe events
stored to be processed once. `db/stripe_queues.py` implements them on PostgreSQL, the fast tests
with in-memory fakes; `PaymentsUnit` (`repositories.py`) holds one of each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from payments.domain.payment_states import Payment
from payments.domain.stripe_calls import StripeCall, StripeCallParams
from payments.provider import ProviderEvent


@dataclass(frozen=True)
class RecordedCall:
    """A queued Stripe call as its queue sees it: `attempts` counts the runs started."""

    id: int
    status: str
    attempts: int


@dataclass(frozen=True)
class ClaimedCall:
    """A queued Stripe call taken to be run, with its payment as it was when taken (the
    booking's first for a call not about one payment; not locked: what the call is about to do
    is decided on it, what came of it is recorded on the payment read again, locked)."""

    call: StripeCall
    payment: Payment | None
    more_due: bool
    """Whether another call was due as this one was taken: the runner takes the next at once."""


@dataclass(frozen=True)
class ClaimedEvent:
    """A stored Stripe event taken to be processed, with the trace of the booking it concerns."""

    event: ProviderEvent
    traceparent: str | None
    more_due: bool
    """Whether another event waited as this one was taken: the processor takes the next."""


@dataclass(frozen=True)
class MarkedEvent:
    """A stored Stripe event marked processed by the transaction that applies it, with the
    trace of the booking it concerns."""

    traceparent: str | None


class StripeCalls(Protocol):
    async def add(
        self,
        *,
        booking_id: uuid.UUID,
        params: StripeCallParams,
        idempotency_key: str,
        traceparent: str | None = None,
        lease_seconds: float | None = None,
    ) -> RecordedCall | None:
        """Queue a Stripe call to make after commit; None when its key is queued already.
        With `lease_seconds` the call is also taken as it is queued (leased, its attempt
        counted: `attempts` 1), for this process to run without claiming it, unless an earlier
        call of its booking is pending (`attempts` 0: the claim runs it after that one)."""
        ...

    async def by_key(self, idempotency_key: str) -> RecordedCall | None:
        """A queued call, locked: a runner claiming it waits, or is skipped, until commit."""
        ...

    async def claim(self, *, lease_seconds: float) -> ClaimedCall | None:
        """The next due call (the oldest pending one of its booking) with its booking's payment,
        leased for `lease_seconds` with its attempt counted; another runner skips it until the
        lease runs out. None when no call is due."""
        ...

    async def finish(self, call_id: int, *, status: str = "done") -> None: ...

    async def retry_later(self, call_id: int, *, delay_seconds: float, error: str) -> None: ...


class StripeEvents(Protocol):
    async def store(self, event: ProviderEvent, source: str) -> bool:
        """False when this event was stored before (whether or not it is processed yet)."""
        ...

    async def store_processed_in_trace(
        self, event: ProviderEvent, source: str
    ) -> MarkedEvent | None:
        """Store the event marked processed, for the transaction to apply it as it arrives,
        with the trace of the booking whose PaymentIntent it names (as
        `mark_processed_in_trace`); None when it was stored before."""
        ...

    async def stored_among(self, event_ids: list[str]) -> set[str]:
        """Which of these events are stored already (processed or not)."""
        ...

    async def claim(self, *, lease_seconds: float) -> ClaimedEvent | None:
        """The oldest unprocessed event nobody holds, locked until commit and leased for
        `lease_seconds`, with the trace of the booking whose PaymentIntent it names (that of
        the booking's first Stripe call). None when no event waits."""
        ...

    async def mark_processed(self, event_id: str) -> bool:
        """False when it already was (another processor got there first)."""
        ...

    async def mark_processed_in_trace(self, event_id: str) -> MarkedEvent | None:
        """As `mark_processed`, with the trace of the booking whose PaymentIntent the event
        names; None when it already was processed."""
        ...

    async def record_failure(
        self, event_id: str, error: str, *, max_attempts: int, retry_in_seconds: float
    ) -> bool:
        """Count a failed handling and lease the event for `retry_in_seconds` (the handling's
        claim rolled back with it); True when that was its last allowed attempt."""
        ...

    async def cursor(self, name: str) -> int | None:
        """Where reconciliation's read of Stripe's event list got to (a unix time)."""
        ...

    async def move_cursor(self, name: str, position: int) -> None:
        """Forward only: a position behind the stored one changes nothing."""
        ...
