"""Clerk's webhook: verified by its svix signature, each delivery applied once."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request

from identity import clerk
from identity.api.deps import IdentityUnitsDep, SettingsDep
from identity.service import clerk_sync
from service_runtime.service_app import runtime_of

router = APIRouter(tags=["webhooks"])
log = logging.getLogger(__name__)


@router.post(
    "/api/webhooks/clerk",
    responses={
        400: {"description": "The Svix signature is missing or does not verify."},
        503: {"description": "Clerk's Backend API did not take our user id; Clerk retries."},
    },
)
async def clerk_webhook(
    request: Request, units: IdentityUnitsDep, settings: SettingsDep
) -> dict[str, str]:
    if not settings.clerk_webhook_secret:
        raise HTTPException(
            503, "Clerk webhooks are not configured (IDENTITY_CLERK_WEBHOOK_SECRET)."
        )
    body = await request.body()
    try:
        event = clerk.verify(settings.clerk_webhook_secret, body, dict(request.headers))
    except clerk.InvalidClerkWebhook as error:
        log.warning("Clerk webhook %s refused: %s", request.headers.get("svix-id"), error)
        raise HTTPException(400, f"Webhook rejected: {error}") from error
    if event is None:
        return {"status": "ignored"}
    outcome = await clerk_sync.apply_clerk_event(units, event)
    backend = settings.clerk_backend(runtime_of(request).http)
    await clerk_sync.share_our_id(units, backend, event)
    return {"status": outcome.value}
