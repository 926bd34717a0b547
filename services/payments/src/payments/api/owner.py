"""An owner's payouts: onboarding to Stripe Connect, and the payouts so far."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from payments import owners
from payments.api.deps import ContextDep, OwnerIdDep, UnitsDep

router = APIRouter(prefix="/api/payments/owner", tags=["owner payouts"])


class OnboardingOut(BaseModel):
    account_id: str
    onboarding_url: str
    payouts_enabled: bool


class PayoutOut(BaseModel):
    booking_id: uuid.UUID
    status: str
    amount_minor: int
    currency: str | None
    not_before: datetime
    paid_at: datetime | None
    reversed_minor: int
    hold: str | None


@router.post("/onboarding")
async def start_onboarding(owner_id: OwnerIdDep, units: UnitsDep, ctx: ContextDep) -> OnboardingOut:
    onboarding = await owners.start_onboarding(units, ctx, owner_id)
    return OnboardingOut(
        account_id=onboarding.account_ref,
        onboarding_url=onboarding.onboarding_url,
        payouts_enabled=onboarding.payouts_enabled,
    )


@router.get("/payouts")
async def list_payouts(owner_id: OwnerIdDep, units: UnitsDep) -> list[PayoutOut]:
    return [PayoutOut(**line.__dict__) for line in await owners.payouts_of(units, owner_id)]
