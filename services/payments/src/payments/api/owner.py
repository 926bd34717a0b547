"""An owner's payouts: onboarding to Stripe Connect, and the payouts so far."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from contracts.values import IanaTimezone
from payments.api.deps import ContextDep, OwnerIdDep, PaymentsUnitsDep
from payments.domain.payouts import PayoutStatus
from payments.service import owner_accounts

router = APIRouter(prefix="/api/payments/owner", tags=["owner payouts"])

MONTH_PATTERN = r"^(2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$"


class OnboardingOut(BaseModel):
    account_id: str
    onboarding_url: str
    payouts_enabled: bool


class PayoutOut(BaseModel):
    booking_id: uuid.UUID
    status: str
    amount_minor: int = Field(description="What it pays (or paid) the owner, in minor units.")
    currency: str | None
    not_before: datetime = Field(description="The earliest it can be paid.")
    paid_at: datetime | None
    reversed_minor: int
    hold: str | None


@router.post("/onboarding")
async def start_onboarding(
    owner_id: OwnerIdDep, units: PaymentsUnitsDep, ctx: ContextDep
) -> OnboardingOut:
    onboarding = await owner_accounts.start_onboarding(units, ctx, owner_id)
    return OnboardingOut(
        account_id=onboarding.account_ref,
        onboarding_url=onboarding.onboarding_url,
        payouts_enabled=onboarding.payouts_enabled,
    )


@router.get("/payouts")
async def list_payouts(
    owner_id: OwnerIdDep,
    units: PaymentsUnitsDep,
    ctx: ContextDep,
    status: Annotated[
        list[PayoutStatus] | None,
        Query(
            max_length=len(PayoutStatus),
            description="Only these statuses (repeatable); scheduled and transferring wait.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[PayoutOut]:
    """The owner's payouts, newest first, a page at a time."""
    lines = await owner_accounts.payouts_of(
        units, ctx, owner_id, statuses=dict.fromkeys(status or ()), limit=limit, offset=offset
    )
    return [PayoutOut(**line.__dict__) for line in lines]


class EarningsOut(BaseModel):
    currency: str
    payments: int = Field(description="Payments captured in the month.")
    captured_minor: int
    refunded_minor: int = Field(description="Refunded on those payments so far.")
    platform_fee_minor: int = Field(description="The platform's fee kept on them.")
    owner_share_minor: int = Field(
        description="The owner's earnings: captured - refunded - platform fee kept."
    )


class WaitingOut(BaseModel):
    currency: str
    payouts: int
    amount_minor: int = Field(description="What the waiting payouts will pay, in all.")
    earliest_not_before: datetime


class SummaryOut(BaseModel):
    """An owner's month in money: earnings of the payments captured in it, and payouts
    waiting (scheduled or transferring), per currency."""

    month: str = Field(examples=["2026-12"])
    timezone: str
    period_starts_at: datetime
    period_ends_at: datetime
    earnings: list[EarningsOut]
    payouts_waiting: list[WaitingOut]


@router.get("/summary")
async def owner_summary(
    owner_id: OwnerIdDep,
    units: PaymentsUnitsDep,
    ctx: ContextDep,
    month: Annotated[
        str | None,
        Query(
            pattern=MONTH_PATTERN,
            description="YYYY-MM (2000-01 to 2200-12); left out, the current month in `timezone`.",
        ),
    ] = None,
    timezone: Annotated[
        IanaTimezone, Query(description="The IANA time zone the month is counted in.")
    ] = "UTC",
) -> SummaryOut:
    """The owner's earnings this month (or `month`) and the payouts still to be paid."""
    zone = ZoneInfo(timezone)
    first = date.fromisoformat(f"{month}-01") if month else datetime.now(zone).date().replace(day=1)
    summary = await owner_accounts.summary_of(units, ctx, owner_id, month=first, timezone=timezone)
    return SummaryOut(
        month=f"{first.year:04d}-{first.month:02d}",
        timezone=summary.timezone,
        period_starts_at=summary.period_starts_at,
        period_ends_at=summary.period_ends_at,
        earnings=[EarningsOut(**asdict(line)) for line in summary.earnings],
        payouts_waiting=[WaitingOut(**asdict(line)) for line in summary.payouts_waiting],
    )
