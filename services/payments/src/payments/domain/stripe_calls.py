"""The Stripe calls payments decides to make: one kind each, with its own typed parameters.

A call is recorded in the same transaction as the decision that asks for it and run after commit;
its parameters travel through the queue as JSON and are validated on the way back, so a runner
never reads a parameter by key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError


class StripeCallKind(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    CANCEL = "cancel"
    REFUND = "refund"
    TRANSFER = "transfer"
    REVERSE_TRANSFER = "reverse_transfer"


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: ClassVar[StripeCallKind]


class _OfPayment(_Params):
    payment_id: uuid.UUID | None = None
    """The payment the call is about; None: the booking's first payment (so calls queued
    before a booking could have more than one still read)."""


class AuthorizeParams(_OfPayment):
    """Create the payment's PaymentIntent."""

    kind = StripeCallKind.AUTHORIZE
    description: str | None = None


class CaptureParams(_OfPayment):
    kind = StripeCallKind.CAPTURE
    amount_minor: int


class CancelParams(_OfPayment):
    """Cancel the payment's PaymentIntent (release the authorization)."""

    kind = StripeCallKind.CANCEL


class RefundParams(_OfPayment):
    kind = StripeCallKind.REFUND
    refund_id: uuid.UUID
    amount_minor: int


class TransferParams(_Params):
    """Pay the booking's payout to its owner."""

    kind = StripeCallKind.TRANSFER


class ReverseTransferParams(_Params):
    """Take back from the owner's transfer `amount_minor`, or (None) all that is left of it."""

    kind = StripeCallKind.REVERSE_TRANSFER
    reason: str = "dispute"
    amount_minor: int | None = None


StripeCallParams = (
    AuthorizeParams
    | CaptureParams
    | CancelParams
    | RefundParams
    | TransferParams
    | ReverseTransferParams
)

_PARAMS_OF: dict[StripeCallKind, type[StripeCallParams]] = {
    params.kind: params
    for params in (
        AuthorizeParams,
        CaptureParams,
        CancelParams,
        RefundParams,
        TransferParams,
        ReverseTransferParams,
    )
}


class UnreadableCall(ValueError):
    """A queued call whose kind or parameters do not match what payments records."""


def params_to_json(params: StripeCallParams) -> dict[str, Any]:
    return params.model_dump(mode="json")


def params_from_json(kind: str, raw: dict[str, Any]) -> StripeCallParams:
    """The typed parameters of a queued call; `UnreadableCall` when they do not validate."""
    try:
        return _PARAMS_OF[StripeCallKind(kind)].model_validate(raw)
    except (ValueError, ValidationError) as error:
        raise UnreadableCall(f"{kind} call with parameters {raw!r}: {error}") from error


@dataclass(frozen=True)
class StripeCall:
    """A queued call taken to be run: `attempts` counts this one."""

    id: int
    booking_id: uuid.UUID
    params: StripeCallParams
    idempotency_key: str
    attempts: int
    traceparent: str | None

    @property
    def kind(self) -> StripeCallKind:
        return self.params.kind
