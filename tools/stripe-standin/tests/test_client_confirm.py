"""Confirming from the browser: what the stand-in's Stripe.js sends (publishable key, client
secret, the card the person typed) to `POST /v1/payment_intents/{id}/confirm`, over plain HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stripe_standin import create_app

from .conftest import serve

PUBLISHABLE_KEY = "pk_test_standin"


def typed_card(number: str, expiry: tuple[str, str] = ("12", "2034"), cvc: str = "123") -> dict:
    return {
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": number,
        "payment_method_data[card][exp_month]": expiry[0],
        "payment_method_data[card][exp_year]": expiry[1],
        "payment_method_data[card][cvc]": cvc,
    }


async def browser_confirm(
    http: httpx.AsyncClient, intent: Any, number: str, **overrides: str
) -> httpx.Response:
    body = {"key": PUBLISHABLE_KEY, "client_secret": intent.client_secret, **typed_card(number)}
    body.update(overrides)
    return await http.post(f"/v1/payment_intents/{intent.id}/confirm", data=body)


@pytest.fixture
async def manual_intent(client):
    return await client.v1.payment_intents.create_async(
        params={
            "amount": 4_500,
            "currency": "eur",
            "capture_method": "manual",
            "metadata": {"booking_id": "bk_browser"},
        }
    )


async def test_good_card_authorizes_and_emits_the_server_side_event(
    client, helpers, receiver, manual_intent
):
    response = await browser_confirm(helpers, manual_intent, "4242424242424242")

    assert response.status_code == 200
    seen_by_browser = response.json()
    assert (seen_by_browser["id"], seen_by_browser["status"]) == (
        manual_intent.id,
        "requires_capture",
    )
    assert "metadata" not in seen_by_browser  # a publishable key sees the public fields only
    assert await receiver.wait_for(1) == ["payment_intent.amount_capturable_updated"]
    assert receiver.events[0].data.object.metadata["booking_id"] == "bk_browser"
    intent = await client.v1.payment_intents.retrieve_async(
        manual_intent.id, params={"expand": ["latest_charge"]}
    )
    assert intent.amount_capturable == 4_500
    assert intent.payment_method.startswith("pm_")
    card = intent.latest_charge.payment_method_details.card
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2034)


async def test_automatic_capture_succeeds(client, helpers, receiver):
    intent = await client.v1.payment_intents.create_async(
        params={"amount": 1_000, "currency": "usd", "capture_method": "automatic"}
    )

    response = await browser_confirm(helpers, intent, "5555 5555 5555 4444")

    assert response.json()["status"] == "succeeded"
    assert await receiver.wait_for(1) == ["payment_intent.succeeded"]


@pytest.mark.parametrize(
    ("number", "decline_code"),
    [
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4000002500003155", "authentication_required"),
        ("4111111111111111", "live_mode_test_card"),
    ],
)
async def test_declined_card_then_good_card(
    client, helpers, receiver, manual_intent, number, decline_code
):
    declined = await browser_confirm(helpers, manual_intent, number)

    assert declined.status_code == 402
    error = declined.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        decline_code,
    )
    assert error["message"].startswith("Your card")
    assert error["payment_intent"]["status"] == "requires_payment_method"
    failed = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.decline_code == decline_code

    retried = await browser_confirm(helpers, manual_intent, "4242424242424242")

    assert retried.json()["status"] == "requires_capture"
    assert await receiver.wait_for(2) == [
        "payment_intent.payment_failed",
        "payment_intent.amount_capturable_updated",
    ]


@pytest.mark.parametrize(
    ("overrides", "code", "param"),
    [
        ({"payment_method_data[card][number]": "4242424242424241"}, "incorrect_number", "number"),
        ({"payment_method_data[card][exp_month]": "13"}, "invalid_expiry_month", "exp_month"),
        ({"payment_method_data[card][exp_year]": "2001"}, "expired_card", "exp_year"),
        ({"payment_method_data[card][cvc]": "1"}, "invalid_cvc", "cvc"),
    ],
)
async def test_malformed_card_details_are_card_errors_naming_the_field(
    client, helpers, manual_intent, overrides, code, param
):
    response = await browser_confirm(helpers, manual_intent, "4242424242424242", **overrides)

    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("card_error", code, param)
    intent = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert (intent.status, intent.latest_charge) == ("requires_payment_method", None)


async def test_wrong_client_secret_is_rejected_and_changes_nothing(client, helpers, manual_intent):
    other = await client.v1.payment_intents.create_async(params={"amount": 50, "currency": "usd"})

    response = await browser_confirm(
        helpers, manual_intent, "4242424242424242", client_secret=other.client_secret
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "client_secret")
    assert "does not match" in error["message"]
    intent = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert intent.status == "requires_payment_method"


async def test_missing_client_secret_is_rejected(helpers, manual_intent):
    response = await browser_confirm(helpers, manual_intent, "4242424242424242", client_secret="")

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "client_secret"


@pytest.mark.parametrize("key", ["", "pk_live_standin", "pk_test_someone_else", "sk_test_standin"])
async def test_wrong_publishable_key_is_unauthorized(settings, client, key):
    intent = await client.v1.payment_intents.create_async(params={"amount": 50, "currency": "usd"})
    strict = settings.model_copy(update={"publishable_key": PUBLISHABLE_KEY})

    with serve(create_app(strict)) as url:
        # The intent lives in the other stand-in; a wrong key must fail before it is looked up.
        async with httpx.AsyncClient(base_url=url) as http:
            response = await browser_confirm(http, intent, "4242424242424242", key=key)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_any_test_publishable_key_works_when_none_is_set(helpers, manual_intent):
    response = await browser_confirm(helpers, manual_intent, "4242424242424242", key="pk_test_x")

    assert response.status_code == 200


async def test_publishable_key_may_be_sent_as_bearer(helpers, manual_intent):
    body = {"client_secret": manual_intent.client_secret, **typed_card("4242424242424242")}

    response = await helpers.post(
        f"/v1/payment_intents/{manual_intent.id}/confirm",
        data=body,
        headers={"Authorization": f"Bearer {PUBLISHABLE_KEY}"},
    )

    assert response.json()["status"] == "requires_capture"


async def test_an_authorized_intent_cannot_be_confirmed_again(helpers, receiver, manual_intent):
    await browser_confirm(helpers, manual_intent, "4242424242424242")

    again = await browser_confirm(helpers, manual_intent, "4242424242424242")

    assert again.status_code == 400
    error = again.json()["error"]
    assert error["code"] == "payment_intent_unexpected_state"
    assert error["payment_intent"]["status"] == "requires_capture"
    assert await receiver.wait_for(1) == ["payment_intent.amount_capturable_updated"]


async def test_retrieve_with_the_client_secret_shows_the_public_fields(helpers, manual_intent):
    response = await helpers.get(
        f"/v1/payment_intents/{manual_intent.id}",
        params={"key": PUBLISHABLE_KEY, "client_secret": manual_intent.client_secret},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "requires_payment_method"
    assert "metadata" not in response.json()
    wrong = await helpers.get(
        f"/v1/payment_intents/{manual_intent.id}",
        params={"key": PUBLISHABLE_KEY, "client_secret": f"{manual_intent.id}_secret_nope"},
    )
    assert wrong.status_code == 400


async def test_cors_preflight_is_answered_for_another_origin(helpers):
    response = await helpers.options(
        "/v1/payment_intents/pi_x/confirm",
        headers={
            "Origin": "http://127.0.0.1:8080",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://127.0.0.1:8080")
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_cors_origins_can_be_restricted(settings):
    restricted = settings.model_copy(update={"cors_allowed_origins": "http://127.0.0.1:8080"})

    with serve(create_app(restricted)) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            allowed = await http.get("/v3/", headers={"Origin": "http://127.0.0.1:8080"})
            other = await http.options(
                "/v1/payment_intents/pi_x/confirm",
                headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"},
            )

    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


async def test_script_is_served_at_the_stripe_js_path(helpers):
    response = await helpers.get("/v3/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "confirmPayment" in response.text
