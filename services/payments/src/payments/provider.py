"""What the payment provider tells us, in our own words: the gateway maps Stripe into these.

Nothing here knows Stripe's SDK; the service layer and the domain only ever see these types.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from payments.domain.disputes import DisputeSnapshot
from payments.domain.payments import IntentSnapshot


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
