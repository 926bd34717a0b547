"""Disputes (chargebacks): opened and closed only through the stand-in's test helpers."""

from __future__ import annotations

from stripe_standin.errors import InvalidRequestError
from stripe_standin.objects import Dispute, new_id
from stripe_standin.params import Params
from stripe_standin.state import StandinState, lookup

REASONS = ("fraudulent", "duplicate", "product_not_received", "unrecognized", "general")


def open_dispute(state: StandinState, charge_id: str, p: Params) -> Dispute:
    """The cardholder's bank disputes a captured charge (`charge.dispute.created`)."""
    charge = lookup(state.charges, charge_id, "charge")
    amount = p.integer("amount")
    reason = p.string("reason", choices=REASONS) or "fraudulent"
    p.reject_unknown()
    if not charge.captured:
        raise InvalidRequestError(f"Charge {charge.id} has not been captured.", param="charge")
    dispute = Dispute(
        id=new_id("du"),
        amount=charge.amount_captured if amount is None else amount,
        charge=charge.id,
        payment_intent=charge.payment_intent,
        currency=charge.currency,
        created=state.now(),
        reason=reason,
    )
    state.disputes[dispute.id] = dispute
    charge.disputed = True
    state.emit("charge.dispute.created", dispute, p.request)
    return dispute


def close_dispute(state: StandinState, dispute_id: str, p: Params) -> Dispute:
    """The bank decides: `status=won` or `lost` (`charge.dispute.closed`)."""
    dispute = lookup(state.disputes, dispute_id, "dispute")
    status = p.require_string("status", choices=("won", "lost"))
    p.reject_unknown()
    if dispute.status in ("won", "lost"):
        raise InvalidRequestError(f"Dispute {dispute.id} is already closed.", param="status")
    dispute.status = status
    state.emit("charge.dispute.closed", dispute, p.request)
    return dispute
