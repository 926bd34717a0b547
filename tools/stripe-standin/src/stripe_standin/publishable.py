"""What a publishable key (Stripe.js in a browser) may do: confirm or retrieve the one
PaymentIntent whose client secret it holds, and see only the fields Stripe shows a browser."""

from __future__ import annotations

from typing import Any

from stripe_standin import payment_intents
from stripe_standin.api import Action
from stripe_standin.errors import StripeError
from stripe_standin.objects import PaymentIntent
from stripe_standin.params import Params
from stripe_standin.state import StandinState, lookup

# The PaymentIntent fields Stripe returns to a publishable key (no metadata, customer, ...).
PUBLIC_FIELDS = (
    "id",
    "object",
    "amount",
    "canceled_at",
    "cancellation_reason",
    "capture_method",
    "client_secret",
    "confirmation_method",
    "created",
    "currency",
    "description",
    "last_payment_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "processing",
    "receipt_email",
    "setup_future_usage",
    "shipping",
    "status",
)


def public_view(intent: dict[str, Any]) -> dict[str, Any]:
    """The PaymentIntent as a browser holding its client secret sees it."""
    return {name: intent.get(name) for name in PUBLIC_FIELDS}


def confirm(state: StandinState, intent_id: str) -> Action:
    """`stripe.confirmPayment`: the same confirmation as a server's, behind the client secret."""

    def action(p: Params) -> dict[str, Any]:
        _open(state, intent_id, p)
        try:
            confirmed = payment_intents.confirm(state, intent_id, p)
        except StripeError as error:
            if isinstance(error.extra.get("payment_intent"), dict):
                error.extra["payment_intent"] = public_view(error.extra["payment_intent"])
            raise
        return public_view(confirmed.to_json())

    return action


def retrieve(state: StandinState, intent_id: str) -> Action:
    """`stripe.retrievePaymentIntent(clientSecret)`, e.g. on the page behind `return_url`."""

    def action(p: Params) -> dict[str, Any]:
        intent = _open(state, intent_id, p)
        p.reject_unknown()
        return public_view(intent.to_json())

    return action


def _open(state: StandinState, intent_id: str, p: Params) -> PaymentIntent:
    intent = lookup(state.payment_intents, intent_id, "payment_intent", param="intent")
    payment_intents.check_client_secret(intent, p.string("client_secret"))
    return intent
