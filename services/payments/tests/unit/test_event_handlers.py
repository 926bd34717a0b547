"""Every Stripe event type payments acts on has its handler in the dispatch table."""

from __future__ import annotations

from payments.service.stripe_event_handlers import EVENT_HANDLERS

ACTED_ON = {
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.canceled",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
    "account.updated",
    "transfer.created",
    "transfer.reversed",
}


def test_each_event_type_the_flows_depend_on_has_a_handler() -> None:
    assert set(EVENT_HANDLERS) >= ACTED_ON
