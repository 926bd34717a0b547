"""The stand-in renders objects in the API version Stripe would, and can answer late."""

from __future__ import annotations

import asyncio

import pytest
import stripe

from stripe_standin import Settings

from .conftest import WEBHOOK_SECRET, WebhookReceiver

EIGHT_DAYS = 8 * 24 * 3600


async def test_lapsed_authorization_reads_expired_in_the_pinned_version(
    client, helpers, receiver, authorize
):
    intent = await authorize(4_000)

    await helpers.post("/_standin/clock/advance", json={"seconds": EIGHT_DAYS})
    await receiver.wait_for(2)

    event = receiver.events[-1]
    assert (event.type, event.api_version) == ("payment_intent.canceled", stripe.api_version)
    assert event.data.object["cancellation_reason"] == "expired"
    retrieved = await client.v1.payment_intents.retrieve_async(intent.id)
    assert retrieved.cancellation_reason == "expired"


class TestAnAccountOnAnOlderVersion:
    @pytest.fixture
    def settings(self, receiver: WebhookReceiver) -> Settings:
        return Settings(
            webhook_url=receiver.url,
            webhook_secret=WEBHOOK_SECRET,
            webhook_retry_base_seconds=0.05,
            api_version="2024-06-20",
        )

    async def test_events_and_unversioned_answers_say_automatic_versioned_ones_expired(
        self, client, helpers, receiver, authorize
    ):
        intent = await authorize(4_000)

        await helpers.post(f"/_standin/payment_intents/{intent.id}/expire")
        await receiver.wait_for(2)
        unversioned = await helpers.get(
            f"/v1/payment_intents/{intent.id}",
            headers={"Authorization": "Bearer sk_test_standin"},
        )
        pinned = await client.v1.payment_intents.retrieve_async(intent.id)

        event = receiver.events[-1]
        assert (event.api_version, event.data.object["cancellation_reason"]) == (
            "2024-06-20",
            "automatic",
        )
        assert unversioned.json()["cancellation_reason"] == "automatic"
        assert pinned.cancellation_reason == "expired"


async def test_a_late_answer_comes_after_its_effect(client, helpers, receiver):
    intent = await client.v1.payment_intents.create_async(
        params={"amount": 900, "currency": "usd", "capture_method": "manual"}
    )
    path = f"/v1/payment_intents/{intent.id}/confirm"
    await helpers.post("/_standin/latency", json={"path": path, "milliseconds": 1500})

    confirming = asyncio.create_task(
        client.v1.payment_intents.confirm_async(
            intent.id, params={"payment_method": "pm_card_visa"}
        )
    )
    await receiver.wait_for(1)
    answered_when_effect_seen = confirming.done()
    confirmed = await confirming
    await helpers.post("/_standin/latency", json={"path": path, "milliseconds": 0})

    assert receiver.types == ["payment_intent.amount_capturable_updated"]
    assert not answered_when_effect_seen
    assert confirmed.status == "requires_capture"
