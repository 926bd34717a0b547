"""Owners' side on in-memory units and a fake Stripe: one Connect account per owner and a fresh
onboarding link each time, Stripe's account updates, the payouts list and the month's summary."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from contracts.payments import OwnerPayoutsEnabled, SchedulePayout
from payments.domain.payouts import PayoutStatus
from payments.provider import AccountSnapshot, ProviderEvent
from payments.service.context import Context
from payments.service.owner_accounts import payouts_of, start_onboarding, summary_of

from .fake_stripe import FakeStripe
from .fakes import FakePaymentsUnits
from .service_world import NOW, OWNER, StoppedClock, authorize_command, captured, deliver, send


async def test_onboarding_creates_the_owners_account_once_and_a_fresh_link_each_time(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first = await start_onboarding(units, ctx, OWNER)
    again = await start_onboarding(units, ctx, OWNER)

    assert stripe.made("create_account") == [
        {"owner_id": OWNER, "idempotency_key": f"{OWNER}:connect-account"}
    ]
    assert (first.account_ref, first.payouts_enabled) == ("acct_1", False)
    assert again.account_ref == first.account_ref
    links = stripe.made("onboarding_link")
    assert [link["account_ref"] for link in links] == ["acct_1", "acct_1"]
    assert all(link["idempotency_key"].startswith(f"{OWNER}:onboarding-link:") for link in links)
    assert links[0]["idempotency_key"] != links[1]["idempotency_key"]
    assert first.onboarding_url == "https://connect.stripe.test/setup/acct_1"


async def test_an_account_stripe_enabled_is_announced_and_onboarding_then_says_so(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    await start_onboarding(units, ctx, OWNER)
    enabled = AccountSnapshot("acct_1", payouts_enabled=True, owner_id=OWNER)

    await deliver(units, ctx, ProviderEvent("evt_acct", "account.updated", NOW, account=enabled))
    onboarding = await start_onboarding(units, ctx, OWNER)

    assert [m.owner_id for m in units.outbox.messages(OwnerPayoutsEnabled)] == [OWNER]
    assert onboarding.payouts_enabled is True
    assert len(stripe.made("create_account")) == 1


async def scheduled_payout(units: FakePaymentsUnits, ctx: Context, amount_minor: int) -> uuid.UUID:
    command = authorize_command(amount_minor=amount_minor, fee_minor=amount_minor // 10)
    await captured(units, ctx, command)
    await send(
        units, ctx, SchedulePayout(booking_id=command.booking_id, owner_id=OWNER, not_before=NOW)
    )
    return command.booking_id


async def test_the_payouts_list_shows_the_owners_share_newest_first_filtered_and_paged(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    older = await scheduled_payout(units, ctx, 10_000)
    newer = await scheduled_payout(units, ctx, 20_000)
    window = timedelta(hours=ctx.settings.dispute_window_hours)

    lines = await payouts_of(units, ctx, OWNER)
    waiting = await payouts_of(units, ctx, OWNER, statuses=[PayoutStatus.SCHEDULED], offset=1)
    paid = await payouts_of(units, ctx, OWNER, statuses=[PayoutStatus.PAID])

    assert [(line.booking_id, line.amount_minor, line.currency) for line in lines] == [
        (newer, 18_000, "EUR"),
        (older, 9_000, "EUR"),
    ]
    assert {(line.status, line.not_before, line.paid_at) for line in lines} == {
        ("scheduled", NOW + window, None)
    }
    assert [line.booking_id for line in waiting] == [older]
    assert paid == []
    assert await payouts_of(units, ctx, uuid.uuid4()) == []


async def test_the_summary_counts_the_months_captures_and_every_payout_still_waiting(
    units: FakePaymentsUnits, ctx: Context, clock: StoppedClock
) -> None:
    await scheduled_payout(units, ctx, 10_000)
    clock.now = NOW + timedelta(days=40)  # February
    await scheduled_payout(units, ctx, 20_000)

    january = await summary_of(units, ctx, OWNER, month=date(2030, 1, 1), timezone="Europe/Berlin")

    [earnings] = january.earnings
    assert (earnings.currency, earnings.payments, earnings.captured_minor) == ("EUR", 1, 10_000)
    assert (earnings.platform_fee_minor, earnings.owner_share_minor) == (1_000, 9_000)
    [waiting] = january.payouts_waiting
    assert (waiting.payouts, waiting.amount_minor) == (2, 27_000)
    window = timedelta(hours=ctx.settings.dispute_window_hours)
    assert waiting.earliest_not_before == NOW + window
