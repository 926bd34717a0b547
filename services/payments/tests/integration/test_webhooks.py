"""Stripe's webhooks: verified, applied once, and right in any order."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from contracts.payments import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentIntentReady,
    PaymentVoided,
)
from payments import db
from payments.service.stripe_event_handlers import EVENT_HANDLERS
from payments.stripe_gateway import StripeGateway
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin, signed_webhook

from ..conftest import (
    Payments,
    PaymentsFactory,
    Probe,
    authorize_command,
    authorized_undelivered,
    deliver_webhook,
    intent_id,
    request_payment,
    trace_of,
)


async def test_events_out_of_order_and_repeated_have_one_effect(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    secret = stripe_standin.webhook_secret
    async with start_payments(reconcile_interval_seconds=3600) as payments:
        command = authorize_command()
        intent = intent_id(await request_payment(probe, command))
        await stripe_standin.pause_webhooks()
        await stripe_standin.confirm(intent, "pm_card_visa")
        await stripe_standin.api("POST", f"/payment_intents/{intent}/capture")
        succeeded, capturable = await stripe_standin.events(type="payment_intent.*")
        late_cancel = {
            **capturable,
            "id": "evt_forged_late_cancel",
            "type": "payment_intent.canceled",
            "data": {"object": {**capturable["data"]["object"], "status": "canceled"}},
        }

        answers = [
            await deliver_webhook(payments, succeeded, secret),
            await deliver_webhook(payments, capturable, secret),
            await deliver_webhook(payments, succeeded, secret),
            await deliver_webhook(payments, late_cancel, secret),
        ]
        await probe.wait_for(PaymentCaptured, command.booking_id)
        await asyncio.sleep(1.0)

        assert (succeeded["type"], capturable["type"]) == (
            "payment_intent.succeeded",
            "payment_intent.amount_capturable_updated",
        )
        assert [answer.json()["status"] for answer in answers] == [
            "received",
            "received",
            "duplicate",
            "received",
        ]
        assert len(probe.of(PaymentAuthorized, command.booking_id)) == 1
        assert len(probe.of(PaymentCaptured, command.booking_id)) == 1
        assert probe.of(PaymentVoided, command.booking_id) == []
        assert probe.of(PaymentFailed, command.booking_id) == []
        row = await payments.payment_row(command.booking_id)
        assert (row.status, row.captured_minor) == ("captured", 10_000)


async def test_the_same_webhook_delivered_at_once_five_times_is_applied_once(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """Each delivery reads the deadline at Stripe and stores the event in its own transaction:
    the insert of all but the first waits for its commit, then finds the event stored."""
    async with start_payments(reconcile_interval_seconds=3600) as payments:
        command, capturable = await authorized_undelivered(probe, stripe_standin)

        answers = await asyncio.gather(
            *(
                deliver_webhook(payments, capturable, stripe_standin.webhook_secret)
                for _ in range(5)
            )
        )
        await probe.wait_for(PaymentAuthorized, command.booking_id)
        await asyncio.sleep(1.0)

        statuses = sorted(answer.json()["status"] for answer in answers)
        assert statuses == ["duplicate"] * 4 + ["received"]
        assert len(probe.of(PaymentAuthorized, command.booking_id)) == 1
        assert (await payments.payment_row(command.booking_id)).status == "authorized"


async def test_forged_or_stale_webhook_is_rejected_and_changes_nothing(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    # Reconciliation would apply the real event on its own; here only the webhooks may act.
    async with start_payments(reconcile_interval_seconds=3600) as payments:
        command, capturable = await authorized_undelivered(probe, stripe_standin)
        events_before = await payments.rows(db.stripe_events)

        forged = await deliver_webhook(payments, capturable, "whsec_not_the_secret")
        body, headers = signed_webhook(capturable, stripe_standin.webhook_secret)
        stale_headers = {
            **headers,
            "Stripe-Signature": "t=1000," + headers["Stripe-Signature"].split(",")[1],
        }
        stale = await payments.client.post(
            "/api/webhooks/stripe", content=body, headers=stale_headers
        )
        unsigned = await payments.client.post("/api/webhooks/stripe", content=body)

        for answer in (forged, stale, unsigned):
            assert answer.status_code == 400
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["status"] == 400
        assert await payments.rows(db.stripe_events) == events_before
        assert (await payments.payment_row(command.booking_id)).status == "pending"
        assert probe.of(PaymentAuthorized, command.booking_id) == []


async def test_lost_webhook_is_made_good_by_reconciliation(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    intent = intent_id(await request_payment(probe, command))
    await stripe_standin.pause_webhooks()

    await stripe_standin.confirm(intent, "pm_card_visa")
    [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id, timeout=15)

    assert authorized.authorization_expires_at is not None
    assert len(probe.of(PaymentAuthorized, command.booking_id)) == 1
    assert trace_of(probe, PaymentAuthorized) == trace_of(probe, PaymentIntentReady) is not None

    async def event_recorded() -> bool:
        events = await payments.rows(db.stripe_events)
        return {(event.event_type, event.source) for event in events} == {
            ("payment_intent.amount_capturable_updated", "reconciliation")
        }

    await eventually(event_recorded)
    assert (await payments.payment_row(command.booking_id)).status == "authorized"


async def test_reconciliation_lists_only_the_events_no_webhook_delivered(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    delivered = authorize_command()
    await stripe_standin.confirm(intent_id(await request_payment(probe, delivered)), "pm_card_visa")
    await probe.wait_for(PaymentAuthorized, delivered.booking_id, timeout=15)
    lost = authorize_command()
    lost_intent = intent_id(await request_payment(probe, lost))
    await stripe_standin.pause_webhooks()
    await stripe_standin.confirm(lost_intent, "pm_card_visa")
    gateway = StripeGateway(payments.settings)

    try:
        listed = await gateway.undelivered_events_since(0, EVENT_HANDLERS.keys())
    finally:
        await gateway.close()

    assert [(event.type, event.intent_ref) for event in listed] == [
        ("payment_intent.amount_capturable_updated", lost_intent)
    ]
    assert len(await stripe_standin.events()) > len(listed)  # the delivered ones are left out


async def test_a_stripe_call_is_one_log_line(
    payments: Payments, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = StripeGateway(payments.settings)
    try:
        with caplog.at_level(logging.INFO):
            await gateway.undelivered_events_since(0, EVENT_HANDLERS.keys())
    finally:
        await gateway.close()

    # The service's reconciliation may list events meanwhile, from its last pass, not from 0.
    [line] = [
        r.getMessage()
        for r in caplog.records
        if r.name == "payments.stripe_gateway"
        and "/v1/events?created%5Bgte%5D=0&" in r.getMessage()
    ]
    assert line.startswith(f"Stripe call: GET {payments.settings.stripe_api_base}/v1/events?")
    assert line.endswith(" 200")
    assert [r.getMessage() for r in caplog.records if r.name == "stripe"] == []


async def test_signed_body_that_is_not_an_event_is_a_400_problem_and_logged(
    payments: Payments, stripe_standin: StripeStandin, caplog: pytest.LogCaptureFixture
) -> None:
    secret = stripe_standin.webhook_secret
    bodies: list[Any] = [
        {"id": "evt_x"},
        [],
        {"id": "evt_y", "type": "payment_intent.succeeded"},
        {"id": "evt_\x00", "type": "payment_intent.succeeded", "data": {"object": {}}},
    ]

    with caplog.at_level(logging.WARNING, logger="payments"):
        answers = [await deliver_webhook(payments, body, secret) for body in bodies]

    for answer in answers:
        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
    details = [answer.json()["detail"] for answer in answers]
    assert "type" in details[0]
    assert "list" in details[1]
    assert "data.object" in details[2]
    assert "NUL" in details[3]
    rejected = [r for r in caplog.records if r.getMessage().startswith("Stripe webhook rejected")]
    assert len(rejected) == len(bodies)
    assert await payments.rows(db.stripe_events) == []


async def test_event_in_another_api_version_is_refused_with_a_clear_log(
    start_payments: PaymentsFactory,
    probe: Probe,
    stripe_standin: StripeStandin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = stripe_standin.webhook_secret
    async with start_payments(reconcile_interval_seconds=3600) as payments:
        command, capturable = await authorized_undelivered(probe, stripe_standin)
        older = {**capturable, "api_version": "2024-06-20.acacia"}

        with caplog.at_level(logging.ERROR, logger="payments"):
            refused = await deliver_webhook(payments, older, secret)
        assert (await payments.payment_row(command.booking_id)).status == "pending"
        accepted = await deliver_webhook(payments, capturable, secret)

        assert refused.status_code == 400
        assert refused.headers["content-type"] == "application/problem+json"
        [logged] = [r for r in caplog.records if "2024-06-20.acacia" in r.getMessage()]
        assert logged.levelno == logging.ERROR
        assert capturable["api_version"] in logged.getMessage()
        assert accepted.json()["status"] == "received"
        await probe.wait_for(PaymentAuthorized, command.booking_id)


async def test_event_stored_by_a_replica_that_died_before_processing_it_is_processed_on_restart(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    # Long intervals: the first replica only runs what it is woken for.
    async with start_payments(
        reconcile_interval_seconds=3600, step_poll_seconds=3600, payout_interval_seconds=3600
    ) as first:
        intent = intent_id(await request_payment(probe, command))
        await stripe_standin.pause_webhooks()
        await stripe_standin.confirm(intent, "pm_card_visa")
        [capturable] = await stripe_standin.events(type="payment_intent.amount_capturable_updated")
        event = first.ctx.gateway.verify_event(*_signed(capturable, stripe_standin.webhook_secret))
        # Stored, then the replica dies before the wake-up after commit.
        async with first.runtime.units.begin() as uow:
            assert await db.store_event(uow.session, event, "webhook")
    assert (await first.payment_row(command.booking_id)).status == "pending"

    async with start_payments(reconcile_interval_seconds=3600) as second:
        [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)

        [stored] = await second.rows(db.stripe_events)
        assert stored.processed_at is not None
        assert authorized.booking_id == command.booking_id


def _signed(event: dict[str, Any], secret: str) -> tuple[bytes, str]:
    body, headers = signed_webhook(event, secret)
    return body, headers["Stripe-Signature"]


async def test_a_webhook_is_applied_before_it_is_answered(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """Stored and applied in one transaction after the read of its deadline at Stripe, never
    leased or handed over (the poll is an hour away here)."""
    async with start_payments(reconcile_interval_seconds=3600, step_poll_seconds=3600) as payments:
        command, capturable = await authorized_undelivered(probe, stripe_standin)

        answer = await deliver_webhook(payments, capturable, stripe_standin.webhook_secret)

        assert answer.json() == {"status": "received"}
        [stored] = await payments.rows(db.stripe_events)
        assert stored.processed_at is not None
        assert (stored.leased_until, stored.attempts) == (None, 0)
        assert (await payments.payment_row(command.booking_id)).status == "authorized"
        [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)
        assert authorized.authorization_expires_at is not None  # read from the charge at Stripe
