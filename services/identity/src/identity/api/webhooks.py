"""Clerk's webhook: verified by its svix signature, each delivery applied once."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from identity import clerk, service
from identity.api.deps import SettingsDep, UnitsDep

router = APIRouter(tags=["webhooks"])


@router.post("/api/webhooks/clerk")
async def clerk_webhook(request: Request, units: UnitsDep, settings: SettingsDep) -> dict[str, str]:
    if not settings.clerk_webhook_secret:
        raise HTTPException(
            503, "Clerk webhooks are not configured (IDENTITY_CLERK_WEBHOOK_SECRET)."
        )
    body = await request.body()
    try:
        event = clerk.verify(settings.clerk_webhook_secret, body, dict(request.headers))
    except clerk.InvalidClerkWebhook as error:
        raise HTTPException(400, f"Webhook rejected: {error}") from error
    if not event.event_type.startswith("user."):
        return {"status": "ignored"}
    applied = await service.apply_clerk_event(units, event)
    return {"status": "applied" if applied else "duplicate"}
