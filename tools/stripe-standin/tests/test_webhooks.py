"""Webhook delivery: retried after failures, and recoverable from GET /v1/events when lost."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import stripe

from stripe_standin.webhooks import signature_header


def test_signature_header_is_stripes_scheme():
    header = signature_header(b'{"id": "evt_1"}', "whsec_x", 1_700_000_000)

    expected = hmac.new(b"whsec_x", b'1700000000.{"id": "evt_1"}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


async def test_delivery_is_retried_after_the_receiver_answers_500(client, authorize, receiver):
    receiver.failures_left = 2

    intent = await authorize(1_500)

    assert await receiver.wait_for(1) == ["payment_intent.amount_capturable_updated"]
    assert receiver.statuses == [500, 500, 200]
    assert receiver.events[0].data.object.id == intent.id
    event = await client.v1.events.retrieve_async(receiver.events[0].id)
    assert event.pending_webhooks == 0


@pytest.mark.parametrize("settings", [{"webhook_retry_base_seconds": 1.0}], indirect=True)
async def test_one_delivery_at_a_time_a_failing_one_holds_up_the_next(authorize, receiver):
    receiver.failures_left = 1

    first, second = await authorize(1_000), await authorize(2_000)

    await receiver.wait_for(2)
    assert [event.data.object.id for event in receiver.events] == [first.id, second.id]


@pytest.mark.parametrize(
    "settings", [{"webhook_retry_base_seconds": 1.0, "webhook_concurrency": 2}], indirect=True
)
async def test_deliveries_in_flight_at_once_pass_a_failing_one(authorize, receiver):
    receiver.failures_left = 1  # the first delivery's first attempt: retried a second later

    first, second = await authorize(1_000), await authorize(2_000)

    await receiver.wait_for(2)
    assert [event.data.object.id for event in receiver.events] == [second.id, first.id]
    assert receiver.statuses == [500, 200, 200]


@pytest.mark.parametrize("settings", [{"webhook_delay_seconds": 1.0}], indirect=True)
async def test_a_delayed_webhook_goes_out_that_long_after_its_event(authorize, receiver):
    asked = time.monotonic()

    first, second = await authorize(1_000), await authorize(2_000)
    sent_at_once = list(receiver.events)
    await receiver.wait_for(2)

    assert sent_at_once == []
    assert time.monotonic() - asked >= 1.0
    assert [event.data.object.id for event in receiver.events] == [first.id, second.id]


async def test_lost_webhooks_are_recovered_from_the_events_api(
    client, authorize, helpers, receiver
):
    await helpers.post("/_standin/webhooks/pause")
    intent = await authorize(2_500)
    await client.v1.payment_intents.capture_async(intent.id)
    await helpers.post("/_standin/webhooks/resume")
    later = await authorize(700)

    assert await receiver.wait_for(1) == ["payment_intent.amount_capturable_updated"]
    assert receiver.events[0].data.object.id == later.id
    since = receiver.events[0].created - 60
    listed = await client.v1.events.list_async(
        params={"type": "payment_intent.*", "created": {"gte": since}, "limit": 2}
    )
    assert [event.type for event in listed.data] == [
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
    ]
    assert listed.has_more is True
    older = await client.v1.events.list_async(
        params={"type": "payment_intent.*", "starting_after": listed.data[-1].id}
    )
    assert [event.type for event in older.data] == ["payment_intent.amount_capturable_updated"]
    assert older.data[0].data.object.id == intent.id
    assert older.has_more is False
    undelivered = await client.v1.events.list_async(
        params={"created": {"gte": since}, "delivery_success": False}
    )
    assert [(event.type, event.data.object.id) for event in undelivered.data] == [
        ("payment_intent.succeeded", intent.id),
        ("payment_intent.amount_capturable_updated", intent.id),
    ]
    assert {event.pending_webhooks for event in undelivered.data} == {1}
    delivered = await client.v1.events.list_async(
        params={"created": {"gte": since}, "delivery_success": True}
    )
    assert [event.data.object.id for event in delivered.data] == [later.id]


async def test_disputes_are_opened_and_closed_by_helpers(client, authorize, helpers, receiver):
    intent = await authorize(3_000)
    await client.v1.payment_intents.capture_async(intent.id)

    opened = await helpers.post(f"/_standin/charges/{intent.latest_charge}/disputes")
    dispute_id = opened.json()["id"]
    await helpers.post(f"/_standin/disputes/{dispute_id}/close", json={"status": "lost"})

    types = await receiver.wait_for(4)
    assert types[-2:] == ["charge.dispute.created", "charge.dispute.closed"]
    closed = receiver.events[-1].data.object
    assert (closed.id, closed.status, closed.payment_intent) == (dispute_id, "lost", intent.id)
    dispute = await client.v1.disputes.retrieve_async(dispute_id)
    assert isinstance(dispute, stripe.Dispute)


async def test_webhook_endpoint_can_be_changed_at_runtime(client, authorize, helpers, receiver):
    await helpers.post("/_standin/webhook_endpoint", json={"url": ""})
    undelivered = await authorize(800)
    await helpers.post("/_standin/webhook_endpoint", json={"url": receiver.url})
    delivered = await authorize(900)

    await receiver.wait_for(1)

    assert [event.data.object.id for event in receiver.events] == [delivered.id]
    listed = await client.v1.events.list_async()
    assert {event.data.object.id for event in listed.data} == {undelivered.id, delivered.id}
