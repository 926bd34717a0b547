"""Idempotency keys behave like Stripe's: replay on a match, idempotency_error on a mismatch."""

from __future__ import annotations

import httpx
import pytest
import stripe

PARAMS = {"amount": 5_000, "currency": "usd", "capture_method": "manual"}


async def test_same_key_and_parameters_replays_the_first_response(client, standin_url):
    options: stripe.RequestOptions = {"idempotency_key": "booking-bk_7-authorize"}

    first = await client.v1.payment_intents.create_async(params=PARAMS, options=options)
    again = await client.v1.payment_intents.create_async(params=PARAMS, options=options)

    assert again.id == first.id
    async with httpx.AsyncClient(base_url=standin_url) as http:
        raw = await http.post(
            "/v1/payment_intents",
            data={key: str(value) for key, value in PARAMS.items()},
            headers={
                "Authorization": "Bearer sk_test_standin",
                "Idempotency-Key": "booking-bk_7-authorize",
            },
        )
    assert raw.headers["Idempotent-Replayed"] == "true"
    assert raw.json()["id"] == first.id


async def test_same_key_with_other_parameters_is_an_idempotency_error(client):
    options: stripe.RequestOptions = {"idempotency_key": "booking-bk_8-authorize"}
    await client.v1.payment_intents.create_async(params=PARAMS, options=options)

    with pytest.raises(stripe.IdempotencyError) as error:
        await client.v1.payment_intents.create_async(
            params={**PARAMS, "amount": 5_001}, options=options
        )

    assert error.value.http_status == 400


async def test_keys_are_scoped_per_api_key(client, standin_url):
    options: stripe.RequestOptions = {"idempotency_key": "shared-key"}
    first = await client.v1.payment_intents.create_async(params=PARAMS, options=options)
    http_client = stripe.HTTPXClient()
    other_client = stripe.StripeClient(
        "sk_test_other_key", base_addresses={"api": standin_url}, http_client=http_client
    )

    second = await other_client.v1.payment_intents.create_async(params=PARAMS, options=options)
    await http_client.close_async()

    assert second.id != first.id


async def test_a_declined_confirmation_is_replayed_not_retried(client):
    intent = await client.v1.payment_intents.create_async(params=PARAMS)
    options: stripe.RequestOptions = {"idempotency_key": "confirm-once"}
    params = {"payment_method": "pm_card_visa_chargeDeclined"}
    with pytest.raises(stripe.CardError):
        await client.v1.payment_intents.confirm_async(intent.id, params=params, options=options)

    with pytest.raises(stripe.CardError) as replayed:
        await client.v1.payment_intents.confirm_async(intent.id, params=params, options=options)

    assert replayed.value.headers["Idempotent-Replayed"] == "true"
