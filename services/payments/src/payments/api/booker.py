"""A booker's route: their card went through, so read the booking's payment at Stripe now."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from payments.api.deps import ContextDep, PaymentsUnitsDep
from payments.service.card_checks import check_card
from service_runtime.auth import BookerUser

router = APIRouter(prefix="/api/payments/bookings", tags=["booker payments"])


class CardCheckOut(BaseModel):
    read: int = Field(
        description="The booking's payments read at Stripe now: 0 when none waits for the card,"
        " or each was read moments ago (the webhook or a re-read follows)."
    )


@router.post(
    "/{booking_id}/card-confirmed",
    responses={404: {"description": "The booking has no payment of yours."}},
)
async def card_confirmed(
    booking_id: uuid.UUID, booker: BookerUser, units: PaymentsUnitsDep, ctx: ContextDep
) -> CardCheckOut:
    """Stripe.js told the booker's page that the card went through: read the booking's
    payments that still wait for it at Stripe, and go on as Stripe's webhook would have,
    without waiting for it. Each payment is read at most once every few seconds."""
    return CardCheckOut(read=await check_card(units, ctx, booking_id, booker.user_id))
