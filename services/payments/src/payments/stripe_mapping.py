"""Stripe's objects, as the SDK and webhooks hand them over (JSON dicts), read into our own types
(`payments.provider`, snapshots of the domain). Pure: no call to Stripe is made here; the gateway
(`stripe_gateway.py`) makes them and maps their answers with these functions.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import stripe

from contracts.payments import PaymentFailureReason
from payments.domain.disputes import DisputeSnapshot, DisputeStatus
from payments.domain.payment_states import CardFailure, IntentSnapshot, PaymentStatus
from payments.provider import (
    AccountSnapshot,
    ChargeSnapshot,
    ForeignApiVersion,
    NotAnEvent,
    ProviderEvent,
    TransferSnapshot,
)

PINNED_API_VERSION: str = stripe.api_version
"""The Stripe API version this code is written for: the SDK's own, sent with every call."""

_LAPSED_REASONS = {"expired", "automatic"}
_PENDING = {"requires_payment_method", "requires_confirmation", "requires_action", "processing"}
_FAILURE_REASONS = {
    "card_declined": PaymentFailureReason.CARD_DECLINED,
    "expired_card": PaymentFailureReason.CARD_DECLINED,
    "incorrect_cvc": PaymentFailureReason.CARD_DECLINED,
    "authentication_required": PaymentFailureReason.AUTHENTICATION_FAILED,
    "payment_intent_authentication_failure": PaymentFailureReason.AUTHENTICATION_FAILED,
    "processing_error": PaymentFailureReason.PROCESSING_ERROR,
}


def payment_status_from_stripe(status: str, cancellation_reason: str | None) -> PaymentStatus:
    """Our status for a PaymentIntent's. Stripe cancels a lapsed authorization itself, with
    `cancellation_reason` "expired" since API version 2025-03-31 ("automatic" before)."""
    if status in _PENDING:
        return PaymentStatus.PENDING
    if status == "requires_capture":
        return PaymentStatus.AUTHORIZED
    if status == "succeeded":
        return PaymentStatus.CAPTURED
    if status == "canceled":
        lapsed = cancellation_reason in _LAPSED_REASONS
        return PaymentStatus.EXPIRED if lapsed else PaymentStatus.VOIDED
    raise ValueError(f"unknown PaymentIntent status {status!r}")


def dispute_status_from_stripe(status: str) -> DisputeStatus:
    return {"won": DisputeStatus.WON, "lost": DisputeStatus.LOST}.get(status, DisputeStatus.OPEN)


def _at(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def capture_before_of(charge: dict[str, Any]) -> datetime | None:
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return _at(card.get("capture_before"))


def _failure(error: dict[str, Any] | None) -> CardFailure | None:
    if not error:
        return None
    reason = _FAILURE_REASONS.get(str(error.get("code")), PaymentFailureReason.CARD_DECLINED)
    return CardFailure(reason=reason, decline_code=error.get("decline_code"))


def intent_snapshot(intent: dict[str, Any]) -> IntentSnapshot:
    charge = intent.get("latest_charge")
    charge_ref = charge.get("id") if isinstance(charge, dict) else charge
    return IntentSnapshot(
        intent_ref=intent["id"],
        status=payment_status_from_stripe(intent["status"], intent.get("cancellation_reason")),
        amount_capturable_minor=int(intent.get("amount_capturable") or 0),
        amount_received_minor=int(intent.get("amount_received") or 0),
        charge_ref=charge_ref,
        capture_before=capture_before_of(charge) if isinstance(charge, dict) else None,
        client_secret=intent.get("client_secret"),
        failure=_failure(intent.get("last_payment_error")),
        booking_id=_uuid((intent.get("metadata") or {}).get("booking_id")),
        move_id=_uuid((intent.get("metadata") or {}).get("move_id")),
    )


def account_snapshot(account: dict[str, Any]) -> AccountSnapshot:
    requirements = account.get("requirements") or {}
    return AccountSnapshot(
        account_ref=account["id"],
        payouts_enabled=bool(account.get("payouts_enabled")),
        owner_id=_uuid((account.get("metadata") or {}).get("owner_id")),
        disabled_reason=requirements.get("disabled_reason"),
    )


def transfer_snapshot(transfer: dict[str, Any]) -> TransferSnapshot:
    booking = (transfer.get("metadata") or {}).get("booking_id") or transfer.get("transfer_group")
    return TransferSnapshot(
        transfer_ref=transfer["id"],
        amount_minor=int(transfer["amount"]),
        amount_reversed_minor=int(transfer.get("amount_reversed") or 0),
        currency=str(transfer["currency"]).upper(),
        booking_id=_uuid(booking),
    )


def _dispute_snapshot(dispute: dict[str, Any]) -> DisputeSnapshot:
    return DisputeSnapshot(
        dispute_ref=dispute["id"],
        intent_ref=dispute.get("payment_intent"),
        amount_minor=int(dispute["amount"]),
        currency=str(dispute["currency"]).upper(),
        reason=str(dispute.get("reason") or "general"),
        status=dispute_status_from_stripe(str(dispute.get("status"))),
        evidence_due_by=_at((dispute.get("evidence_details") or {}).get("due_by")),
    )


def provider_event(event: Any) -> ProviderEvent:
    """Our view of a Stripe event, whether it came by webhook or from the events list; a body
    that is not an event in our API version is refused (`NotAnEvent`, `ForeignApiVersion`)."""
    obj = _event_object(event)
    if event.get("api_version") != PINNED_API_VERSION:
        raise ForeignApiVersion(
            f"event {event['id']} is rendered in Stripe API version {event.get('api_version')!r}"
            f", payments reads {PINNED_API_VERSION!r}: set the webhook endpoint's version"
        )
    try:
        fields = _event_fields(obj)
        created = _at(event.get("created")) or datetime.now(UTC)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotAnEvent(f"data.object is not a readable {obj.get('object')}: {error!r}") from None
    return ProviderEvent(id=event["id"], type=event["type"], created=created, **fields)


def _event_object(event: Any) -> dict[str, Any]:
    """The object an event carries, once the event has the fields every event has."""
    if not isinstance(event, dict):
        raise NotAnEvent(f"the body is a JSON {type(event).__name__}, not an event object")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise NotAnEvent(f"{name}: missing or not a string")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise NotAnEvent("data.object: missing or not an object")
    if _has_nul(event):
        raise NotAnEvent("a text field contains a NUL character")
    obj: dict[str, Any] = data["object"]
    return obj


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _event_fields(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("object")
    if kind == "payment_intent":
        return {"intent": intent_snapshot(obj)}
    if kind == "charge":
        charge = ChargeSnapshot(
            charge_ref=obj["id"],
            intent_ref=obj.get("payment_intent"),
            amount_captured_minor=int(obj.get("amount_captured") or 0),
            amount_refunded_minor=int(obj.get("amount_refunded") or 0),
        )
        return {"charge": charge}
    if kind == "dispute":
        return {"dispute": _dispute_snapshot(obj)}
    if kind == "account":
        return {"account": account_snapshot(obj)}
    if kind == "transfer":
        return {"transfer": transfer_snapshot(obj)}
    return {}
