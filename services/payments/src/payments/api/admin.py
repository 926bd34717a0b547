"""An admin's refunds: a goodwill refund, or one after a dispute, at any time."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, status
from pydantic import BaseModel, Field

from payments.api.deps import ContextDep, PaymentsUnitsDep
from payments.service import refunds
from service_runtime.auth import AdminUser

router = APIRouter(prefix="/api/payments/admin", tags=["admin refunds"])


class RefundIn(BaseModel):
    amount_minor: int = Field(
        gt=0, description="In the payment's currency; at most what is captured and not refunded."
    )
    reason: str = Field(min_length=1, max_length=500, description="Why, kept with the refund.")


class RefundOut(BaseModel):
    refund_id: uuid.UUID
    amount_minor: int
    currency: str
    status: str = Field(description="pending (Stripe is being asked), succeeded or rejected.")


@router.post(
    "/bookings/{booking_id}/refunds",
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "No captured payment for this booking."},
        409: {"description": "More than is captured and not yet refunded."},
    },
)
async def refund_booking(
    booking_id: uuid.UUID,
    body: RefundIn,
    _: AdminUser,
    units: PaymentsUnitsDep,
    ctx: ContextDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="The same key refunds once (a double click)."),
    ] = None,
) -> RefundOut:
    """Refund part or all of a booking's payment; after the owner's payout, the owner's share of
    it is taken back from their transfer."""
    refund = await refunds.admin_refund(
        units,
        ctx,
        booking_id,
        amount_minor=body.amount_minor,
        note=body.reason,
        idempotency_key=idempotency_key,
    )
    return RefundOut(
        refund_id=refund.refund_id,
        amount_minor=refund.amount.amount_minor,
        currency=refund.amount.currency,
        status=refund.status,
    )
