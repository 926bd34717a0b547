"""Stripe's webhook: verified by signature and timestamp, stored by its id and applied in one
transaction (`stripe_events.receive_webhook_event`), then answered."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request

from payments.api.deps import ContextDep, PaymentsUnitsDep
from payments.provider import ForeignApiVersion, InvalidWebhook
from payments.service.stripe_events import receive_webhook_event

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])


@router.post("/api/webhooks/stripe")
async def stripe_webhook(
    request: Request,
    units: PaymentsUnitsDep,
    ctx: ContextDep,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> dict[str, str]:
    body = await request.body()
    try:
        event = ctx.gateway.verify_event(body, stripe_signature)
    except ForeignApiVersion as error:
        log.error("Stripe webhook refused: %s", error)
        raise HTTPException(400, f"Webhook rejected: {error}") from error
    except InvalidWebhook as error:
        log.warning("Stripe webhook rejected: %s", error)
        raise HTTPException(400, f"Webhook rejected: {error}") from error
    stored = await receive_webhook_event(units, ctx, event)
    return {"status": "received" if stored else "duplicate"}
