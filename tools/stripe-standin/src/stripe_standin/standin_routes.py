"""`/_standin` test helpers: what a browser, a bank or the passing of time would do to Stripe."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

from stripe_standin import accounts, disputes, payment_intents
from stripe_standin.api import HelperCallDep, StandinDep, execute
from stripe_standin.objects import Charge, PaymentIntent
from stripe_standin.params import Params
from stripe_standin.state import lookup

router = APIRouter(prefix="/_standin")


@router.get("/health")
async def health(standin: StandinDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "now": standin.state.now(),
        "events": len(standin.state.events),
        "webhook_url": standin.webhooks.endpoint_url,
        "webhooks_paused": standin.webhooks.paused,
    }


@router.post("/payment_intents/{intent_id}/confirm")
async def confirm_as_browser(standin: StandinDep, call: HelperCallDep, intent_id: str) -> Response:
    """Stripe.js confirming with the client secret; card declines answer 402 as in the browser."""

    def action(p: Params) -> PaymentIntent:
        intent = lookup(standin.state.payment_intents, intent_id, "payment_intent")
        client_secret = p.string("client_secret")
        if client_secret is not None:
            payment_intents.check_client_secret(intent, client_secret)
        return payment_intents.confirm(standin.state, intent_id, p)

    return await execute(standin, call, action)


@router.post("/payment_intents/{intent_id}/expire")
async def expire_authorization(
    standin: StandinDep, call: HelperCallDep, intent_id: str
) -> Response:
    """The bank lets the authorization lapse: canceled with `cancellation_reason=expired`."""

    def action(p: Params) -> PaymentIntent:
        p.reject_unknown()
        intent = lookup(standin.state.payment_intents, intent_id, "payment_intent")
        return payment_intents.void(standin.state, intent, "expired", p.request)

    return await execute(standin, call, action)


@router.post("/charges/{charge_id}/capture_before")
async def set_capture_before(standin: StandinDep, call: HelperCallDep, charge_id: str) -> Response:
    """Move an authorization's deadline (unix seconds), e.g. into the past."""

    def action(p: Params) -> Charge:
        capture_before = p.require_integer("capture_before", minimum=0)
        p.reject_unknown()
        charge = lookup(standin.state.charges, charge_id, "charge")
        charge.capture_before = capture_before
        return charge

    return await execute(standin, call, action)


@router.post("/charges/{charge_id}/disputes")
async def open_dispute(standin: StandinDep, call: HelperCallDep, charge_id: str) -> Response:
    """The cardholder disputes the charge (`amount`, `reason` optional)."""
    return await execute(
        standin, call, lambda p: disputes.open_dispute(standin.state, charge_id, p)
    )


@router.post("/disputes/{dispute_id}/close")
async def close_dispute(standin: StandinDep, call: HelperCallDep, dispute_id: str) -> Response:
    """The dispute ends with `status=won` or `status=lost`."""
    return await execute(
        standin, call, lambda p: disputes.close_dispute(standin.state, dispute_id, p)
    )


@router.post("/clock/advance")
async def advance_clock(standin: StandinDep, call: HelperCallDep) -> Response:
    """Move the stand-in's clock forward `seconds`; lapsed authorizations expire on the way."""

    def action(p: Params) -> dict[str, Any]:
        seconds = p.require_integer("seconds", minimum=0)
        p.reject_unknown()
        standin.state.clock_offset_seconds += seconds
        expired = payment_intents.expire_due_authorizations(standin.state)
        return {"now": standin.state.now(), "expired_payment_intents": [i.id for i in expired]}

    return await execute(standin, call, action)


@router.get("/account_links/{token}")
async def visit_account_link(standin: StandinDep, token: str) -> RedirectResponse:
    """The owner's browser opening the onboarding link: onboarding completes at once."""
    async with standin.state.lock:
        destination = accounts.visit_link(standin.state, token)
    return RedirectResponse(destination, status_code=303)


@router.post("/webhook_endpoint")
async def set_webhook_endpoint(standin: StandinDep, call: HelperCallDep) -> dict[str, Any]:
    """Point deliveries at `url` (empty for none), optionally with a new signing `secret`."""
    p = call.params()
    url = p.string("url")
    secret = p.string("secret")
    p.reject_unknown()
    standin.webhooks.endpoint_url = url
    if secret is not None:
        standin.webhooks.secret = secret
    return {"url": url, "secret": standin.webhooks.secret}


@router.post("/latency")
async def set_latency(standin: StandinDep, call: HelperCallDep) -> dict[str, Any]:
    """Answer requests to paths starting with `path` `milliseconds` late (0: at once again)."""
    p = call.params()
    prefix = p.require_string("path")
    milliseconds = p.require_integer("milliseconds", minimum=0)
    p.reject_unknown()
    standin.latency.set(prefix, milliseconds / 1000)
    return {"latency": standin.latency.seconds_by_prefix}


@router.post("/webhooks/pause")
async def pause_webhooks(standin: StandinDep) -> dict[str, Any]:
    """Lose every event from now on (still listed by `GET /v1/events`)."""
    standin.webhooks.paused = True
    return {"paused": True}


@router.post("/webhooks/resume")
async def resume_webhooks(standin: StandinDep) -> dict[str, Any]:
    """Deliver new events again; the lost ones stay lost."""
    standin.webhooks.paused = False
    return {"paused": False}


@router.get("/webhooks")
async def webhook_deliveries(standin: StandinDep) -> dict[str, Any]:
    """Delivery attempts and dropped events, for debugging a test."""
    dispatcher = standin.webhooks
    return {
        "url": dispatcher.endpoint_url,
        "paused": dispatcher.paused,
        "dropped": list(dispatcher.dropped),
        "attempts": [asdict(attempt) for attempt in dispatcher.attempts],
    }
