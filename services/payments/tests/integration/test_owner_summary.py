"""An owner's dashboard numbers: this month's earnings and the payouts still waiting, per
currency, each owner only their own."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.payments import PaymentRefunded, RefundPayment, RefundReason
from contracts.values import Money
from payments import db
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin
from tests.fixtures.tokens import TestIssuer

from ..conftest import Payments, Probe
from .test_payouts import captured_booking, schedule_payout

SUMMARY = "/api/payments/owner/summary"
PAYOUTS = "/api/payments/owner/payouts"


def _fields(response_json: dict) -> list[str]:  # type: ignore[type-arg]
    return [error["field"] for error in response_json.get("errors", [])]


async def test_the_summary_sums_the_month_s_captures_net_of_refunds_and_waiting_payouts(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = uuid.uuid4()
    refunded_id, _ = await captured_booking(probe, stripe_standin, owner_id)
    kept_id, _ = await captured_booking(probe, stripe_standin, owner_id)
    await captured_booking(probe, stripe_standin, uuid.uuid4())  # someone else's
    await probe.send(
        RefundPayment(
            booking_id=refunded_id,
            refund_id=uuid.uuid4(),
            amount=Money(amount_minor=2_001, currency="USD"),
            reason=RefundReason.CANCELLED_BY_OWNER,
        )
    )
    await probe.wait_for(PaymentRefunded, refunded_id)
    # Not onboarded: the payout is due but waits (owner_cannot_receive).
    await schedule_payout(probe, refunded_id, owner_id)

    async def scheduled() -> bool:
        return bool(await payments.rows(db.payouts, db.payouts.c.booking_id == refunded_id))

    await eventually(scheduled)
    headers = token_issuer.headers("owner", owner_id)

    answer = await payments.client.get(
        SUMMARY, params={"timezone": "Europe/Berlin"}, headers=headers
    )
    earlier = await payments.client.get(SUMMARY, params={"month": "2020-01"}, headers=headers)
    waiting = await payments.client.get(PAYOUTS, params={"status": "scheduled"}, headers=headers)
    paid = await payments.client.get(PAYOUTS, params={"status": "paid"}, headers=headers)

    assert answer.status_code == 200, answer.text
    summary = answer.json()
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    assert summary["month"] == f"{now.year:04d}-{now.month:02d}"
    starts = datetime.fromisoformat(summary["period_starts_at"])
    assert (starts.day, starts.hour, starts.utcoffset()) == (1, 0, now.replace(day=1).utcoffset())
    # 10 000 each with a 1 500 fee; 2 001 of one refunded: the owner keeps 6 499 + 8 500.
    assert summary["earnings"] == [
        {
            "currency": "USD",
            "payments": 2,
            "captured_minor": 20_000,
            "refunded_minor": 2_001,
            "platform_fee_minor": 3_000,
            "owner_share_minor": 14_999,
        }
    ]
    [pending] = summary["payouts_waiting"]
    assert (pending["currency"], pending["payouts"], pending["amount_minor"]) == ("USD", 1, 6_499)
    assert earlier.json()["earnings"] == []
    assert earlier.json()["payouts_waiting"] == summary["payouts_waiting"]  # not by month
    assert [p["booking_id"] for p in waiting.json()] == [str(refunded_id)]
    assert paid.json() == []
    assert str(kept_id) not in {p["booking_id"] for p in waiting.json()}  # never scheduled


async def test_the_summary_is_the_caller_s_own_and_its_parameters_are_bounded(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = uuid.uuid4()
    await captured_booking(probe, stripe_standin, owner_id)

    other_owner = await payments.client.get(SUMMARY, headers=token_issuer.headers("owner"))
    booker = await payments.client.get(SUMMARY, headers=token_issuer.headers("booker"))
    anonymous = await payments.client.get(SUMMARY)
    mine = token_issuer.headers("owner", owner_id)
    month = await payments.client.get(SUMMARY, params={"month": "2026-13"}, headers=mine)
    year = await payments.client.get(SUMMARY, params={"month": "9999-01"}, headers=mine)
    zone = await payments.client.get(SUMMARY, params={"timezone": "Mars/Base"}, headers=mine)
    page = await payments.client.get(PAYOUTS, params={"limit": 1000}, headers=mine)
    status = await payments.client.get(PAYOUTS, params={"status": "lost"}, headers=mine)

    assert other_owner.status_code == 200
    assert (other_owner.json()["earnings"], other_owner.json()["payouts_waiting"]) == ([], [])
    assert (booker.status_code, anonymous.status_code) == (403, 401)
    assert (month.status_code, _fields(month.json())) == (422, ["query.month"])
    assert (year.status_code, _fields(year.json())) == (422, ["query.month"])
    assert (zone.status_code, _fields(zone.json())) == (422, ["query.timezone"])
    assert (page.status_code, _fields(page.json())) == (422, ["query.limit"])
    assert (status.status_code, _fields(status.json())) == (422, ["query.status.0"])
