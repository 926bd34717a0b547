"""How Stripe's objects and events read in our words, and which bodies are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from payments.domain.payment_states import PaymentStatus
from payments.provider import ForeignApiVersion, NotAnEvent
from payments.stripe_mapping import PINNED_API_VERSION, payment_status_from_stripe, provider_event


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("expired", PaymentStatus.EXPIRED),  # API versions since 2025-03-31
        ("automatic", PaymentStatus.EXPIRED),  # older versions
        ("requested_by_customer", PaymentStatus.VOIDED),
        (None, PaymentStatus.VOIDED),
    ],
)
def test_a_lapsed_authorization_reads_expired_a_cancel_voided(
    reason: str | None, status: PaymentStatus
) -> None:
    assert payment_status_from_stripe("canceled", reason) is status


def event(**changes: Any) -> dict[str, Any]:
    intent = {"id": "pi_1", "object": "payment_intent", "status": "requires_capture"}
    return {
        "id": "evt_1",
        "object": "event",
        "api_version": PINNED_API_VERSION,
        "created": 1_800_000_000,
        "type": "payment_intent.amount_capturable_updated",
        "data": {"object": intent},
        **changes,
    }


def test_an_event_in_the_pinned_version_is_read() -> None:
    read = provider_event(event())

    assert read.intent is not None
    assert (read.id, read.intent.status) == ("evt_1", PaymentStatus.AUTHORIZED)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"id": "evt_x"}, "type"),
        ([], "list"),
        ("evt_x", "str"),
        ({"type": "payment_intent.succeeded", "data": {}}, "id"),
        (event(data=None), "data.object"),
        (event(data={"object": []}), "data.object"),
        (event(data={"object": {"object": "payment_intent"}}), "data.object"),
        (event(id="evt_\x00"), "NUL"),
    ],
)
def test_a_body_that_is_not_an_event_is_refused_naming_what_is_wrong(body: Any, named: str) -> None:
    with pytest.raises(NotAnEvent, match=re.escape(named)):
        provider_event(body)


def test_an_event_in_another_api_version_is_refused() -> None:
    with pytest.raises(ForeignApiVersion, match=re.escape("2024-06-20.acacia")):
        provider_event(event(api_version="2024-06-20.acacia"))
