"""Owners' side: a Connect Express account to be paid into, and the history of their payouts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from payments import db
from payments.service import Context
from service_runtime.unit_of_work import UnitsOfWork


@dataclass(frozen=True)
class Onboarding:
    account_ref: str
    onboarding_url: str
    payouts_enabled: bool


@dataclass(frozen=True)
class PayoutLine:
    booking_id: uuid.UUID
    status: str
    amount_minor: int
    currency: str | None
    not_before: datetime
    paid_at: datetime | None
    reversed_minor: int
    hold: str | None


async def start_onboarding(units: UnitsOfWork, ctx: Context, owner_id: uuid.UUID) -> Onboarding:
    """The owner's connected account (created once) and a fresh link to finish onboarding.

    The account is created with an idempotency key per owner, outside any transaction, and
    recorded with ON CONFLICT DO NOTHING: concurrent or repeated requests end with one account.
    """
    async with units.begin() as uow:
        row = await db.owner_account(uow.session, owner_id)
    if row is None:
        account = await ctx.gateway.create_account(
            owner_id=owner_id, idempotency_key=f"{owner_id}:connect-account"
        )
        async with units.begin() as uow:
            await db.add_owner_account(uow.session, owner_id, account.account_ref)
            row = await db.owner_account(uow.session, owner_id)
    assert row is not None
    url = await ctx.gateway.onboarding_link(
        row.account_ref, idempotency_key=f"{owner_id}:onboarding-link:{uuid.uuid4()}"
    )
    return Onboarding(
        account_ref=row.account_ref, onboarding_url=url, payouts_enabled=row.payouts_enabled
    )


async def payouts_of(units: UnitsOfWork, owner_id: uuid.UUID) -> list[PayoutLine]:
    async with units.begin() as uow:
        rows = await db.payouts_of_owner(uow.session, owner_id)
    return [
        PayoutLine(
            booking_id=row.booking_id,
            status=row.status,
            amount_minor=row.amount_minor,
            currency=row.currency,
            not_before=row.not_before,
            paid_at=row.paid_at,
            reversed_minor=row.reversed_minor,
            hold=row.hold,
        )
        for row in rows
    ]
