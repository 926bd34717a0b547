"""PaymentIntents through the official SDK: the manual-capture path the booking saga relies on."""

from __future__ import annotations

import httpx
import pytest
import stripe


async def test_manual_capture_emits_signed_events_in_order(client, receiver):
    intent = await client.v1.payment_intents.create_async(
        params={
            "amount": 12_000,
            "currency": "usd",
            "capture_method": "manual",
            "metadata": {"booking_id": "bk_1"},
            "transfer_group": "booking_bk_1",
        },
        options={"idempotency_key": "booking-bk_1-authorize"},
    )
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")

    confirmed = await client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "requires_capture"
    assert confirmed.amount_capturable == 12_000

    captured = await client.v1.payment_intents.capture_async(intent.id)
    assert captured.status == "succeeded"
    assert captured.amount_received == 12_000

    types = await receiver.wait_for(2)
    assert types == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded"]
    authorized = receiver.events[0]
    assert authorized.data.object.metadata["booking_id"] == "bk_1"
    assert authorized.request.idempotency_key is not None


async def test_charge_records_authorization_and_capture(client, authorize):
    intent = await authorize(5_000)

    retrieved = await client.v1.payment_intents.retrieve_async(
        intent.id, params={"expand": ["latest_charge"]}
    )
    charge = retrieved.latest_charge
    assert isinstance(charge, stripe.Charge)
    assert charge.id.startswith("ch_")
    assert (charge.captured, charge.amount_captured) == (False, 0)
    assert charge.transfer_group == "tg_booking"
    capture_before = charge.payment_method_details.card.capture_before
    assert 6 * 24 * 3600 < capture_before - charge.created <= 7 * 24 * 3600

    await client.v1.payment_intents.capture_async(intent.id)
    charge = await client.v1.charges.retrieve_async(charge.id)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (True, 5_000, 0)


async def test_declined_card_then_good_card(client, receiver):
    intent = await client.v1.payment_intents.create_async(
        params={"amount": 3_000, "currency": "usd", "capture_method": "manual"}
    )

    with pytest.raises(stripe.CardError) as declined:
        await client.v1.payment_intents.confirm_async(
            intent.id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    assert declined.value.http_status == 402
    assert declined.value.code == "card_declined"
    failed = await client.v1.payment_intents.retrieve_async(intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "card_declined"
    assert failed.last_payment_error.decline_code == "generic_decline"

    confirmed = await client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "requires_capture"
    assert confirmed.last_payment_error is None
    assert await receiver.wait_for(2) == [
        "payment_intent.payment_failed",
        "payment_intent.amount_capturable_updated",
    ]


async def test_partial_capture_releases_the_rest(client, authorize):
    intent = await authorize(10_000)

    captured = await client.v1.payment_intents.capture_async(
        intent.id, params={"amount_to_capture": 7_500}
    )

    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        7_500,
        0,
    )
    charge = await client.v1.charges.retrieve_async(captured.latest_charge)
    assert (charge.amount, charge.amount_captured) == (10_000, 7_500)


async def test_capture_more_than_authorized_is_rejected(client, authorize):
    intent = await authorize(1_000)

    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.payment_intents.capture_async(
            intent.id, params={"amount_to_capture": 1_001}
        )
    assert error.value.code == "amount_too_large"


async def test_automatic_capture_succeeds_on_create_with_confirm(client, receiver):
    intent = await client.v1.payment_intents.create_async(
        params={
            "amount": 2_000,
            "currency": "eur",
            "capture_method": "automatic",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )

    assert (intent.status, intent.amount_received) == ("succeeded", 2_000)
    assert await receiver.wait_for(1) == ["payment_intent.succeeded"]


async def test_cancel_voids_an_authorization(client, receiver, authorize):
    intent = await authorize(4_000)

    canceled = await client.v1.payment_intents.cancel_async(
        intent.id, params={"cancellation_reason": "requested_by_customer"}
    )

    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "requested_by_customer")
    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.payment_intents.capture_async(intent.id)
    assert error.value.code == "payment_intent_unexpected_state"
    assert (await receiver.wait_for(2))[-1] == "payment_intent.canceled"


async def test_expired_authorization_is_canceled_by_stripe_as_expired(
    client, helpers, receiver, authorize
):
    intent = await authorize(4_000)

    response = await helpers.post("/_standin/clock/advance", json={"seconds": 8 * 24 * 3600})

    assert response.json()["expired_payment_intents"] == [intent.id]
    expired = await client.v1.payment_intents.retrieve_async(intent.id)
    assert (expired.status, expired.cancellation_reason) == ("canceled", "expired")
    assert (await receiver.wait_for(2))[-1] == "payment_intent.canceled"


async def test_browser_confirmation_through_the_helper(client, helpers):
    intent = await client.v1.payment_intents.create_async(
        params={"amount": 900, "currency": "usd", "capture_method": "manual"}
    )

    response = await helpers.post(
        f"/_standin/payment_intents/{intent.id}/confirm",
        data={"payment_method": "pm_card_visa", "client_secret": intent.client_secret},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "requires_capture"


async def test_requests_without_an_api_key_are_unauthorized(standin_url):
    async with httpx.AsyncClient(base_url=standin_url) as http:
        response = await http.post("/v1/payment_intents", data={"amount": 100, "currency": "usd"})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_unknown_parameters_are_rejected_like_stripe(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.payment_intents.create_async(
            params={"amount": 100, "currency": "usd", "amuont": 5}  # type: ignore[typeddict-unknown-key]
        )
    assert (error.value.code, error.value.param) == ("parameter_unknown", "amuont")


async def test_missing_payment_intent_is_a_404(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.payment_intents.retrieve_async("pi_missing")
    assert (error.value.http_status, error.value.code) == (404, "resource_missing")


async def test_capture_after_capture_before_fails(client, authorize, helpers):
    intent = await authorize(4_000)
    await helpers.post(
        f"/_standin/charges/{intent.latest_charge}/capture_before", json={"capture_before": 1}
    )

    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.payment_intents.capture_async(intent.id)

    assert error.value.code == "charge_expired_for_capture"
