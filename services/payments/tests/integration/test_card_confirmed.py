"""The booker's page says the card went through: the payment is read at Stripe at once, and
authorized without waiting for Stripe's webhook, which stays harmless when it comes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from contracts.payments import PaymentAuthorized, PaymentIntentReady
from payments.stripe_gateway import StripeGateway
from tests.fixtures.stripe import StripeStandin
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    Payments,
    PaymentsFactory,
    Probe,
    authorize_command,
    authorized_undelivered,
    deliver_webhook,
    request_payment,
    trace_of,
)


@pytest.fixture
async def payments(start_payments: PaymentsFactory) -> AsyncIterator[Payments]:
    """Reconciliation far off, so that only the booker's page can read the payment early."""
    async with start_payments(
        reconcile_interval_seconds=3600, webhook_grace_seconds=3600
    ) as service:
        yield service


def card_confirmed(booking_id: object) -> str:
    return f"/api/payments/bookings/{booking_id}/card-confirmed"


async def test_the_booker_s_word_authorizes_the_payment_before_the_webhook_comes(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    command, capturable = await authorized_undelivered(probe, stripe_standin)
    booker = token_issuer.headers("booker", command.booker_id)

    answer = await payments.client.post(card_confirmed(command.booking_id), headers=booker)
    [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)
    again = await payments.client.post(card_confirmed(command.booking_id), headers=booker)

    assert (answer.status_code, answer.json()) == (200, {"read": 1})
    assert authorized.payment_id == (await payments.payment_row(command.booking_id)).id
    assert authorized.authorization_expires_at is not None
    assert (await payments.payment_row(command.booking_id)).status == "authorized"
    assert (again.status_code, again.json()) == (200, {"read": 0})
    # In the booking's trace, as the webhook's would be: not in the page's request's.
    assert trace_of(probe, PaymentAuthorized) == trace_of(probe, PaymentIntentReady) is not None
    # Stripe's webhook, when it comes, is taken and changes nothing.
    late = await deliver_webhook(payments, capturable, stripe_standin.webhook_secret)
    await asyncio.sleep(1.0)
    assert late.json() == {"status": "received"}
    assert len(probe.of(PaymentAuthorized, command.booking_id)) == 1


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The payment's reads at Stripe from now on: its PaymentIntent's, or its charge's."""
    reads: list[str] = []
    for name in ("retrieve_intent", "charge_capture_before"):
        read = getattr(StripeGateway, name)

        async def counted(self: StripeGateway, ref: str, read: Any = read) -> Any:
            reads.append(ref)
            return await read(self, ref)

        monkeypatch.setattr(StripeGateway, name, counted)
    return reads


async def test_the_booker_s_word_and_the_webhook_at_once_authorize_once(
    payments: Payments,
    probe: Probe,
    stripe_standin: StripeStandin,
    token_issuer: TestIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command, capturable = await authorized_undelivered(probe, stripe_standin)
    booker = token_issuer.headers("booker", command.booker_id)
    reads = count_reads(monkeypatch)

    answers = await asyncio.gather(
        payments.client.post(card_confirmed(command.booking_id), headers=booker),
        deliver_webhook(payments, capturable, stripe_standin.webhook_secret),
        payments.client.post(card_confirmed(command.booking_id), headers=booker),
        deliver_webhook(payments, capturable, stripe_standin.webhook_secret),
    )
    await probe.wait_for(PaymentAuthorized, command.booking_id)
    await asyncio.sleep(1.0)

    assert [answer.status_code for answer in answers] == [200] * 4
    # Read at Stripe once in all: the page's calls not again within the interval, nor while
    # or once the webhook authorized it; the webhooks not again once it was read.
    assert answers[0].json()["read"] + answers[2].json()["read"] <= 1
    assert len(reads) == 1
    assert sorted(answer.json()["status"] for answer in answers[1::2]) == ["duplicate", "received"]
    assert len(probe.of(PaymentAuthorized, command.booking_id)) == 1
    assert (await payments.payment_row(command.booking_id)).status == "authorized"


async def test_a_booker_calling_again_and_again_reads_stripe_once_per_interval(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    command = authorize_command()
    await request_payment(probe, command)
    booker = token_issuer.headers("booker", command.booker_id)

    answers = [
        (await payments.client.post(card_confirmed(command.booking_id), headers=booker)).json()
        for _ in range(5)
    ]

    # Read once: the card is not entered yet, so the payment waits on.
    assert answers == [{"read": 1}] + [{"read": 0}] * 4
    assert (await payments.payment_row(command.booking_id)).status == "pending"


async def test_only_the_booker_of_the_booking_may_have_it_read(
    payments: Payments, probe: Probe, token_issuer: TestIssuer
) -> None:
    command = authorize_command()
    await request_payment(probe, command)

    someone_else = await payments.client.post(
        card_confirmed(command.booking_id), headers=token_issuer.headers("booker")
    )
    unknown = await payments.client.post(
        card_confirmed(authorize_command().booking_id),
        headers=token_issuer.headers("booker", command.booker_id),
    )
    signed_out = await payments.client.post(card_confirmed(command.booking_id))
    not_an_id = await payments.client.post(
        card_confirmed("nope"), headers=token_issuer.headers("booker", command.booker_id)
    )

    assert someone_else.status_code == unknown.status_code == 404
    assert someone_else.headers["content-type"] == "application/problem+json"
    assert "no payment of yours" in someone_else.json()["detail"]
    assert signed_out.status_code == 401
    assert not_an_id.status_code == 422
    assert (await payments.payment_row(command.booking_id)).card_checked_at is None
