"""PaymentIntents: create, confirm with a test card, capture (partial too), cancel, expire."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from stripe_standin.cards import TEST_PAYMENT_METHODS, TestCard, card_from_details
from stripe_standin.errors import CardError, InvalidRequestError, ResourceMissing
from stripe_standin.objects import Charge, PaymentIntent, new_id
from stripe_standin.params import Params, RequestRef
from stripe_standin.state import StandinState, lookup

CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
CONFIRMABLE = ("requires_payment_method", "requires_confirmation")
CANCELABLE = (*CONFIRMABLE, "requires_capture", "requires_action", "processing")
# Card authorizations hold for about 7 days before the bank releases them.
AUTHORIZATION_VALIDITY_SECONDS = 7 * 24 * 3600


def create(state: StandinState, p: Params) -> PaymentIntent:
    """`POST /v1/payment_intents`, confirming at once when `confirm=true`."""
    amount = p.require_integer("amount")
    currency = p.require_string("currency").lower()
    intent = PaymentIntent(
        id=new_id("pi"),
        amount=amount,
        currency=currency,
        capture_method=p.string("capture_method", choices=CAPTURE_METHODS) or "automatic_async",
        created=state.now(),
        client_secret="",
        payment_method=p.string("payment_method"),
        customer=p.string("customer"),
        description=p.string("description"),
        setup_future_usage=p.string("setup_future_usage", choices=("on_session", "off_session")),
        transfer_group=p.string("transfer_group"),
        metadata=p.metadata(),
    )
    intent.client_secret = f"{intent.id}_secret_{secrets.token_urlsafe(18)}"
    confirm = p.boolean("confirm") or False
    off_session = p.boolean("off_session")
    p.string_list("payment_method_types")
    p.mapping("automatic_payment_methods")
    p.reject_unknown()
    if off_session is not None and not confirm:
        raise InvalidRequestError(
            "off_session can only be used when confirm=true.", param="off_session"
        )
    card = _card_for(intent.payment_method) if intent.payment_method else None
    if confirm and card is None:
        raise _missing_payment_method(intent)
    state.payment_intents[intent.id] = intent
    if card is not None:
        intent.status = "requires_confirmation"
        if confirm:
            _authorize(state, intent, card, p.request)
    return intent


def confirm(state: StandinState, intent_id: str, p: Params) -> PaymentIntent:
    """`POST /v1/payment_intents/{id}/confirm`, also what Stripe.js does in the browser."""
    intent = lookup(state.payment_intents, intent_id, "payment_intent", param="intent")
    payment_method = p.string("payment_method")
    payment_method_data = p.mapping("payment_method_data")
    p.boolean("off_session")
    p.string("return_url")
    p.reject_unknown()
    if intent.status not in CONFIRMABLE:
        raise _unexpected_state(intent, "confirm")
    if payment_method_data:
        if payment_method:
            raise InvalidRequestError(
                "You cannot pass both payment_method and payment_method_data.",
                param="payment_method_data",
            )
        payment_method, card = new_id("pm"), _card_from_data(state, payment_method_data)
    else:
        payment_method = payment_method or intent.payment_method
        if payment_method is None:
            raise _missing_payment_method(intent)
        card = _card_for(payment_method)
    intent.payment_method = payment_method
    _authorize(state, intent, card, p.request)
    return intent


def check_client_secret(intent: PaymentIntent, client_secret: str | None) -> None:
    """A publishable key opens only the PaymentIntent whose client secret it sends (else a 400)."""
    if client_secret != intent.client_secret:
        raise InvalidRequestError(
            "The client_secret provided does not match the client_secret associated with "
            "the PaymentIntent.",
            param="client_secret",
        )


def capture(state: StandinState, intent_id: str, p: Params) -> PaymentIntent:
    """`POST /v1/payment_intents/{id}/capture`; an uncaptured remainder is released."""
    intent = lookup(state.payment_intents, intent_id, "payment_intent", param="intent")
    amount_to_capture = p.integer("amount_to_capture")
    metadata = p.metadata()
    p.reject_unknown()
    if intent.status != "requires_capture" or intent.latest_charge is None:
        raise _unexpected_state(intent, "capture")
    charge = state.charges[intent.latest_charge]
    if state.now() > charge.capture_before:
        raise InvalidRequestError(
            f"This PaymentIntent could not be captured because the authorization on charge "
            f"{charge.id} has expired.",
            code="charge_expired_for_capture",
        )
    amount = intent.amount_capturable if amount_to_capture is None else amount_to_capture
    if amount > intent.amount_capturable:
        raise InvalidRequestError(
            f"The amount_to_capture ({amount}) must be less than or equal to the "
            f"PaymentIntent's amount_capturable ({intent.amount_capturable}).",
            code="amount_too_large",
            param="amount_to_capture",
        )
    intent.metadata.update(metadata)
    intent.status = "succeeded"
    intent.amount_received = amount
    intent.amount_capturable = 0
    charge.captured = True
    charge.amount_captured = amount
    state.emit("payment_intent.succeeded", intent, p.request)
    return intent


def cancel(state: StandinState, intent_id: str, p: Params) -> PaymentIntent:
    """`POST /v1/payment_intents/{id}/cancel`; an authorization is released."""
    intent = lookup(state.payment_intents, intent_id, "payment_intent", param="intent")
    reason = p.string("cancellation_reason", choices=CANCELLATION_REASONS)
    p.reject_unknown()
    return void(state, intent, reason, p.request)


def void(
    state: StandinState, intent: PaymentIntent, reason: str | None, request: RequestRef
) -> PaymentIntent:
    """Cancel `intent` for `reason` (`expired` when its authorization lapsed; rendered
    `automatic` in API versions before 2025-03-31)."""
    if intent.status not in CANCELABLE:
        raise _unexpected_state(intent, "cancel")
    intent.status = "canceled"
    intent.cancellation_reason = reason
    intent.canceled_at = state.now()
    intent.amount_capturable = 0
    state.emit("payment_intent.canceled", intent, request)
    return intent


def expire_due_authorizations(state: StandinState) -> list[PaymentIntent]:
    """Cancel, as Stripe does, every uncaptured PaymentIntent whose `capture_before` has passed."""
    expired = []
    for intent in list(state.payment_intents.values()):
        charge = state.charges.get(intent.latest_charge or "")
        if intent.status == "requires_capture" and charge and state.now() > charge.capture_before:
            expired.append(void(state, intent, "expired", RequestRef()))
    return expired


def _authorize(
    state: StandinState, intent: PaymentIntent, card: TestCard, request: RequestRef
) -> None:
    charge = Charge(
        id=new_id("ch"),
        payment_intent=intent.id,
        amount=intent.amount,
        currency=intent.currency,
        created=state.now(),
        payment_method=intent.payment_method or "",
        card=card,
        capture_before=state.now() + AUTHORIZATION_VALIDITY_SECONDS,
        customer=intent.customer,
        transfer_group=intent.transfer_group,
        metadata=dict(intent.metadata),
    )
    state.charges[charge.id] = charge
    intent.latest_charge = charge.id
    if card.decline_code:
        _decline(state, intent, charge, card, request)
    intent.last_payment_error = None
    if intent.capture_method == "manual":
        intent.status = "requires_capture"
        intent.amount_capturable = intent.amount
        state.emit("payment_intent.amount_capturable_updated", intent, request)
        return
    charge.captured = True
    charge.amount_captured = intent.amount
    intent.status = "succeeded"
    intent.amount_received = intent.amount
    state.emit("payment_intent.succeeded", intent, request)


def _decline(
    state: StandinState, intent: PaymentIntent, charge: Charge, card: TestCard, request: RequestRef
) -> None:
    charge.status = "failed"
    charge.failure_code = "card_declined"
    charge.failure_message = card.decline_message
    error = CardError(
        card.decline_message,
        code="card_declined",
        extra={"decline_code": card.decline_code, "charge": charge.id},
    )
    intent.status = "requires_payment_method"
    intent.last_payment_error = {
        **error.to_json()["error"],
        "payment_method": {"id": intent.payment_method, "object": "payment_method", "type": "card"},
    }
    intent.payment_method = None
    state.emit("payment_intent.payment_failed", intent, request)
    error.extra["payment_intent"] = intent.to_json()
    raise error


def _card_from_data(state: StandinState, data: dict[str, Any]) -> TestCard:
    # The card details a person typed into the card form (the stand-in's Stripe.js sends them).
    if data.get("type") != "card":
        raise InvalidRequestError(
            "The stand-in only takes payment_method_data[type]=card.",
            code="parameter_invalid_string",
            param="payment_method_data[type]",
        )
    unknown = sorted(set(data) - {"type", "card", "billing_details"})
    if unknown:
        name = f"payment_method_data[{unknown[0]}]"
        raise InvalidRequestError(
            f"Received unknown parameter: {name}", code="parameter_unknown", param=name
        )
    card = data.get("card")
    if not isinstance(card, dict):
        raise InvalidRequestError(
            "Missing required param: payment_method_data[card].",
            code="parameter_missing",
            param="payment_method_data[card]",
        )
    today = datetime.fromtimestamp(state.now(), UTC).date()
    return card_from_details(card, today)


def _card_for(payment_method: str) -> TestCard:
    card = TEST_PAYMENT_METHODS.get(payment_method)
    if card is None:
        raise ResourceMissing("PaymentMethod", payment_method, param="payment_method")
    return card


def _missing_payment_method(intent: PaymentIntent) -> InvalidRequestError:
    return InvalidRequestError(
        f"You cannot confirm this PaymentIntent because it's missing a payment method. "
        f"To confirm the PaymentIntent with {intent.customer or 'a customer'}, specify a "
        f"payment method attached to this customer along with the customer ID.",
        code="payment_intent_unexpected_state",
        param="payment_method",
    )


def _unexpected_state(intent: PaymentIntent, action: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"You cannot {action} this PaymentIntent because it has a status of {intent.status}.",
        code="payment_intent_unexpected_state",
        extra={"payment_intent": intent.to_json()},
    )
