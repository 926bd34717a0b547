"""Refunds of captured charges, never more than was captured and not yet refunded."""

from __future__ import annotations

from typing import Any

from stripe_standin.errors import InvalidRequestError
from stripe_standin.objects import Charge, Refund, list_json, new_id
from stripe_standin.pagination import page
from stripe_standin.params import Params
from stripe_standin.state import StandinState, lookup

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create(state: StandinState, p: Params) -> Refund:
    """`POST /v1/refunds` against a `payment_intent` or a `charge`; no amount means the rest."""
    intent_id = p.string("payment_intent")
    charge_id = p.string("charge")
    amount = p.integer("amount")
    reason = p.string("reason", choices=REASONS)
    metadata = p.metadata()
    p.reject_unknown()
    charge = _refundable_charge(state, intent_id, charge_id)
    remaining = charge.amount_captured - charge.amount_refunded
    if remaining == 0:
        raise InvalidRequestError(
            f"Charge {charge.id} has already been refunded.", code="charge_already_refunded"
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise InvalidRequestError(
            f"Refund amount ({_money(amount, charge.currency)}) is greater than unrefunded "
            f"amount on charge ({_money(remaining, charge.currency)})",
            code="amount_too_large",
            param="amount",
        )
    refund = Refund(
        id=new_id("re"),
        amount=amount,
        charge=charge.id,
        payment_intent=charge.payment_intent,
        currency=charge.currency,
        created=state.now(),
        reason=reason,
        metadata=metadata,
    )
    state.refunds[refund.id] = refund
    charge.amount_refunded += amount
    state.emit("charge.refunded", charge, p.request)
    return refund


def retrieve(state: StandinState, refund_id: str) -> Refund:
    """`GET /v1/refunds/{id}`."""
    return lookup(state.refunds, refund_id, "refund")


def list_refunds(state: StandinState, p: Params) -> dict[str, Any]:
    """`GET /v1/refunds?payment_intent=...` (or `charge=`), newest first."""
    intent_id = p.string("payment_intent")
    charge_id = p.string("charge")
    refunds = [
        refund
        for refund in reversed(state.refunds.values())
        if intent_id in (None, refund.payment_intent) and charge_id in (None, refund.charge)
    ]
    data, has_more = page(refunds, p)
    p.reject_unknown()
    return list_json("/v1/refunds", [refund.to_json() for refund in data], has_more)


def _refundable_charge(state: StandinState, intent_id: str | None, charge_id: str | None) -> Charge:
    if intent_id is None and charge_id is None:
        raise InvalidRequestError(
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
            code="parameter_missing",
        )
    if charge_id is None:
        intent = lookup(
            state.payment_intents, intent_id or "", "payment_intent", param="payment_intent"
        )
        if intent.status != "succeeded" or intent.latest_charge is None:
            raise InvalidRequestError(
                f"This PaymentIntent ({intent.id}) does not have a successful charge to refund; "
                f"an uncaptured PaymentIntent is canceled instead.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        charge_id = intent.latest_charge
    charge = lookup(state.charges, charge_id, "charge", param="charge")
    if not charge.captured:
        raise InvalidRequestError(
            f"Charge {charge.id} has not been captured; cancel its PaymentIntent instead.",
            code="charge_not_refundable",
            param="charge",
        )
    return charge


def _money(amount: int, currency: str) -> str:
    major, minor = divmod(amount, 100)
    return f"{currency.upper()} {major}.{minor:02d}"
