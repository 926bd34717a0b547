"""What the payment provider tells us, in our own words: the gateway maps Stripe into these.

Nothing here knows Stripe's SDK; the service layer and the domain only ever see these types.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from payments.domain.disputes import DisputeSnapshot
from payments.domain.payment_states import IntentSnapshot


class ProviderUnavailable(Exception):
    """The call may have failed for a passing reason (network, 5xx, rate limit): retry it."""


class ProviderRejected(Exception):
    """The provider refused the request for good; retrying the same request will not help."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


class NotAnEvent(InvalidWebhook):
    """A correctly signed body that is not an event we can read (the message names the field)."""


class ForeignApiVersion(InvalidWebhook):
    """An event rendered in another Stripe API version than the one payments is written for:
    fields change meaning across versions, so it is refused rather than misread."""


@dataclass(frozen=True)
class ChargeSnapshot:
    charge_ref: str
    intent_ref: str | None
    amount_captured_minor: int
    amount_refunded_minor: int


@dataclass(frozen=True)
class RefundResult:
    refund_ref: str
    amount_minor: int


@dataclass(frozen=True)
class AccountSnapshot:
    account_ref: str
    payouts_enabled: bool
    owner_id: uuid.UUID | None = None
    disabled_reason: str | None = None


@dataclass(frozen=True)
class TransferSnapshot:
    transfer_ref: str
    amount_minor: int
    amount_reversed_minor: int
    currency: str
    booking_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """One event: its id (to process it once), its type, and the object it carries."""

    id: str
    type: str
    created: datetime
    intent: IntentSnapshot | None = None
    charge: ChargeSnapshot | None = None
    dispute: DisputeSnapshot | None = None
    account: AccountSnapshot | None = None
    transfer: TransferSnapshot | None = None

    @property
    def intent_ref(self) -> str | None:
        """The PaymentIntent it names, on its intent, charge or dispute: whose booking it is."""
        named = (self.intent, self.charge, self.dispute)
        return next((each.intent_ref for each in named if each and each.intent_ref), None)


class PaymentProvider(Protocol):
    """What the service layer asks of the provider (`StripeGateway` on Stripe, a fake in the
    fast tests). Every call that changes something carries the caller's idempotency key."""

    async def create_intent(
        self,
        *,
        booking_id: uuid.UUID,
        move_id: uuid.UUID | None = None,
        amount_minor: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> IntentSnapshot: ...

    async def retrieve_intent(self, intent_ref: str) -> IntentSnapshot: ...

    async def capture(
        self, intent_ref: str, *, amount_minor: int, idempotency_key: str
    ) -> IntentSnapshot: ...

    async def cancel(self, intent_ref: str, *, idempotency_key: str) -> IntentSnapshot: ...

    async def refund(
        self, intent_ref: str, *, amount_minor: int, refund_id: uuid.UUID, idempotency_key: str
    ) -> RefundResult: ...

    async def charge_capture_before(self, charge_ref: str) -> datetime | None: ...

    async def create_account(
        self, *, owner_id: uuid.UUID, idempotency_key: str
    ) -> AccountSnapshot: ...

    async def onboarding_link(self, account_ref: str, *, idempotency_key: str) -> str: ...

    async def transfer(
        self,
        *,
        booking_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        destination: str,
        source_charge: str | None,
        idempotency_key: str,
    ) -> TransferSnapshot: ...

    async def reverse_transfer(
        self, transfer_ref: str, *, amount_minor: int | None, idempotency_key: str
    ) -> TransferSnapshot: ...

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """The event a webhook carries, once its signature and timestamp check out."""
        ...

    async def undelivered_events_since(
        self, created_gte: int, types: Collection[str]
    ) -> list[ProviderEvent]:
        """The readable events of these types created at or after this unix time that no
        webhook delivered yet (pending, or given up on), oldest first."""
        ...
