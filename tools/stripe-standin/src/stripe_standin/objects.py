"""The Stripe resources the stand-in keeps, each rendering itself in Stripe's JSON shape."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from stripe_standin.cards import TestCard
from stripe_standin.params import RequestRef

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """A Stripe-looking id such as `pi_3PqR...` (24 random characters after the prefix)."""
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def list_json(url: str, data: list[dict[str, Any]], has_more: bool = False) -> dict[str, Any]:
    """Stripe's list envelope."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


@dataclass
class Charge:
    """One authorization attempt on a card: succeeded (maybe uncaptured) or failed."""

    id: str
    payment_intent: str
    amount: int
    currency: str
    created: int
    payment_method: str
    card: TestCard
    capture_before: int
    status: str = "succeeded"
    captured: bool = False
    amount_captured: int = 0
    amount_refunded: int = 0
    disputed: bool = False
    failure_code: str | None = None
    failure_message: str | None = None
    customer: str | None = None
    transfer_group: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def refunded(self) -> bool:
        """Fully refunded, as Stripe's `refunded` flag (partial refunds leave it false)."""
        return self.captured and self.amount_refunded >= self.amount_captured

    def to_json(self) -> dict[str, Any]:
        """The `charge` object."""
        paid = self.status == "succeeded"
        return {
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount_captured,
            "amount_refunded": self.amount_refunded,
            "balance_transaction": None,
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "captured": self.captured,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": None,
            "disputed": self.disputed,
            "failure_code": self.failure_code,
            "failure_message": self.failure_message,
            "livemode": False,
            "metadata": dict(self.metadata),
            "outcome": {
                "network_status": "approved_by_network" if paid else "declined_by_network",
                "reason": None if paid else self.failure_code,
                "risk_level": "normal",
                "seller_message": "Payment complete." if paid else "The bank declined.",
                "type": "authorized" if paid else "issuer_declined",
            },
            "paid": paid,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": {
                "type": "card",
                "card": {**self.card.to_json(), "capture_before": self.capture_before},
            },
            "refunded": self.refunded,
            "status": self.status,
            "transfer_group": self.transfer_group,
        }


@dataclass
class PaymentIntent:
    """A PaymentIntent and the state machine fields Stripe exposes."""

    id: str
    amount: int
    currency: str
    capture_method: str
    created: int
    client_secret: str
    status: str = "requires_payment_method"
    payment_method: str | None = None
    customer: str | None = None
    description: str | None = None
    setup_future_usage: str | None = None
    transfer_group: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    amount_capturable: int = 0
    amount_received: int = 0
    latest_charge: str | None = None
    last_payment_error: dict[str, Any] | None = None
    canceled_at: int | None = None
    cancellation_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `payment_intent` object."""
        return {
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_received": self.amount_received,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": None,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": self.capture_method,
            "client_secret": self.client_secret,
            "confirmation_method": "automatic",
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
            "livemode": False,
            "metadata": dict(self.metadata),
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": self.payment_method,
            "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
            "payment_method_types": ["card"],
            "processing": None,
            "receipt_email": None,
            "setup_future_usage": self.setup_future_usage,
            "status": self.status,
            "transfer_data": None,
            "transfer_group": self.transfer_group,
        }


@dataclass
class Refund:
    """Money given back from a captured charge."""

    id: str
    amount: int
    charge: str
    payment_intent: str
    currency: str
    created: int
    reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `refund` object."""
        return {
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": None,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "metadata": dict(self.metadata),
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "receipt_number": None,
            "status": "succeeded",
        }


@dataclass
class Dispute:
    """A chargeback opened by the cardholder's bank."""

    id: str
    amount: int
    charge: str
    payment_intent: str
    currency: str
    created: int
    reason: str
    status: str = "needs_response"

    def to_json(self) -> dict[str, Any]:
        """The `dispute` object."""
        return {
            "id": self.id,
            "object": "dispute",
            "amount": self.amount,
            "balance_transactions": [],
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "evidence_details": {"due_by": self.created + 7 * 24 * 3600, "has_evidence": False},
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "status": self.status,
        }


@dataclass
class Account:
    """A Connect account owned by a studio owner; onboarding flips its `*_enabled` flags."""

    id: str
    type: str
    country: str
    created: int
    email: str | None = None
    business_type: str | None = None
    default_currency: str = "usd"
    capabilities: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `account` object."""
        currently_due = [] if self.details_submitted else ["external_account", "tos_acceptance"]
        return {
            "id": self.id,
            "object": "account",
            "business_type": self.business_type,
            "capabilities": dict(self.capabilities),
            "charges_enabled": self.charges_enabled,
            "country": self.country,
            "created": self.created,
            "default_currency": self.default_currency,
            "details_submitted": self.details_submitted,
            "email": self.email,
            "livemode": False,
            "metadata": dict(self.metadata),
            "payouts_enabled": self.payouts_enabled,
            "requirements": {
                "currently_due": currently_due,
                "eventually_due": currently_due,
                "past_due": [],
                "disabled_reason": None if self.details_submitted else "requirements.past_due",
            },
            "type": self.type,
        }


@dataclass
class AccountLink:
    """A single-use onboarding link; `url` points back at the stand-in."""

    account: str
    url: str
    refresh_url: str
    return_url: str
    type: str
    created: int
    expires_at: int
    used: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `account_link` object."""
        return {
            "object": "account_link",
            "created": self.created,
            "expires_at": self.expires_at,
            "url": self.url,
        }


@dataclass
class TransferReversal:
    """Money pulled back from a connected account."""

    id: str
    amount: int
    currency: str
    transfer: str
    created: int
    metadata: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `transfer_reversal` object."""
        return {
            "id": self.id,
            "object": "transfer_reversal",
            "amount": self.amount,
            "balance_transaction": None,
            "created": self.created,
            "currency": self.currency,
            "destination_payment_refund": None,
            "metadata": dict(self.metadata),
            "source_refund": None,
            "transfer": self.transfer,
        }


@dataclass
class Transfer:
    """Money moved from the platform to a connected account (an owner's payout)."""

    id: str
    amount: int
    currency: str
    destination: str
    destination_payment: str
    created: int
    source_transaction: str | None = None
    transfer_group: str | None = None
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    reversals: list[TransferReversal] = field(default_factory=list)

    @property
    def amount_reversed(self) -> int:
        """Sum of all reversals."""
        return sum(reversal.amount for reversal in self.reversals)

    def to_json(self) -> dict[str, Any]:
        """The `transfer` object, reversals inlined as Stripe does."""
        reversals = list_json(
            f"/v1/transfers/{self.id}/reversals", [r.to_json() for r in reversed(self.reversals)]
        )
        return {
            "id": self.id,
            "object": "transfer",
            "amount": self.amount,
            "amount_reversed": self.amount_reversed,
            "balance_transaction": None,
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "destination": self.destination,
            "destination_payment": self.destination_payment,
            "livemode": False,
            "metadata": dict(self.metadata),
            "reversals": {**reversals, "total_count": len(self.reversals)},
            "reversed": self.amount_reversed >= self.amount,
            "source_transaction": self.source_transaction,
            "source_type": "card",
            "transfer_group": self.transfer_group,
        }


@dataclass
class Event:
    """A snapshot of an object at the moment something happened to it."""

    id: str
    type: str
    created: int
    api_version: str
    data_object: dict[str, Any]
    request: RequestRef
    previous_attributes: dict[str, Any] | None = None
    pending_webhooks: int = 0

    def to_json(self) -> dict[str, Any]:
        """The `event` object, as listed and as delivered to webhooks."""
        data: dict[str, Any] = {"object": self.data_object}
        if self.previous_attributes is not None:
            data["previous_attributes"] = self.previous_attributes
        return {
            "id": self.id,
            "object": "event",
            "api_version": self.api_version,
            "created": self.created,
            "data": data,
            "livemode": False,
            "pending_webhooks": self.pending_webhooks,
            "request": {"id": self.request.id, "idempotency_key": self.request.idempotency_key},
            "type": self.type,
        }
