"""Owners: Connect onboarding, payouts after the window exactly once, and disputes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from contracts.payments import (
    CapturePayment,
    DisputeClosed,
    DisputeOpened,
    DisputeOutcome,
    OwnerPayoutsEnabled,
    PaymentCaptured,
    PaymentRefunded,
    PayoutPaid,
    PayoutReversed,
    RefundPayment,
    RefundReason,
    SchedulePayout,
)
from contracts.values import Money
from payments import db
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin
from tests.fixtures.tokens import TestIssuer

from ..conftest import Payments, PaymentsFactory, Probe, authorize_command, authorized_payment


async def onboard(
    payments: Payments, probe: Probe, standin: StripeStandin, issuer: TestIssuer
) -> uuid.UUID:
    owner_id = uuid.uuid4()
    answer = await payments.client.post(
        "/api/payments/owner/onboarding", headers=issuer.headers("owner", owner_id)
    )
    assert answer.status_code == 200, answer.text
    await standin.visit(answer.json()["onboarding_url"])
    await probe.wait_for(OwnerPayoutsEnabled)
    return owner_id


async def captured_booking(
    probe: Probe, standin: StripeStandin, owner_id: uuid.UUID, amount: int = 10_000
) -> tuple[uuid.UUID, str]:
    """A booking whose session ended an hour ago, captured in full."""
    command = authorize_command(
        amount=amount, owner_id=owner_id, session_ends_in=-timedelta(hours=1)
    )
    intent, _ = await authorized_payment(probe, standin, command)
    await probe.send(CapturePayment(booking_id=command.booking_id))
    await probe.wait_for(PaymentCaptured, command.booking_id)
    return command.booking_id, intent


async def schedule_payout(probe: Probe, booking_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    not_before = datetime.now(UTC) - timedelta(seconds=1)
    await probe.send(
        SchedulePayout(booking_id=booking_id, owner_id=owner_id, not_before=not_before)
    )


async def paid_out_booking(
    payments: Payments, probe: Probe, standin: StripeStandin, issuer: TestIssuer
) -> tuple[uuid.UUID, uuid.UUID, PayoutPaid]:
    """(owner, booking, its payout) of a booking captured in full and paid out to its owner."""
    owner_id = await onboard(payments, probe, standin, issuer)
    booking_id, _ = await captured_booking(probe, standin, owner_id)
    await schedule_payout(probe, booking_id, owner_id)
    [paid] = await probe.wait_for(PayoutPaid, booking_id)
    return owner_id, booking_id, paid


async def test_onboarding_creates_one_account_and_enables_payouts(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = uuid.uuid4()
    headers = token_issuer.headers("owner", owner_id)

    first = await payments.client.post("/api/payments/owner/onboarding", headers=headers)
    again = await payments.client.post("/api/payments/owner/onboarding", headers=headers)
    visit = await stripe_standin.visit(first.json()["onboarding_url"])
    [enabled] = await probe.wait_for(OwnerPayoutsEnabled)
    booker = await payments.client.post(
        "/api/payments/owner/onboarding", headers=token_issuer.headers("booker")
    )

    assert first.json()["account_id"] == again.json()["account_id"]
    assert first.json()["payouts_enabled"] is False
    assert visit.status_code == 303
    assert enabled.owner_id == owner_id
    assert booker.status_code == 403
    rows = await payments.rows(db.owner_accounts)
    assert [(row.owner_id, row.payouts_enabled) for row in rows] == [(owner_id, True)]


async def test_payout_after_the_window_is_paid_exactly_once_by_two_replicas(
    start_payments: PaymentsFactory,
    probe: Probe,
    stripe_standin: StripeStandin,
    token_issuer: TestIssuer,
) -> None:
    async with start_payments() as payments, start_payments() as replica:
        owner_id = await onboard(payments, probe, stripe_standin, token_issuer)
        booking_id, _ = await captured_booking(probe, stripe_standin, owner_id)
        await probe.send(
            RefundPayment(
                booking_id=booking_id,
                refund_id=uuid.uuid4(),
                amount=Money(amount_minor=2_001, currency="USD"),
                reason=RefundReason.CANCELLED_BY_OWNER,
            )
        )
        await probe.wait_for(PaymentRefunded, booking_id)

        await schedule_payout(probe, booking_id, owner_id)
        [paid] = await probe.wait_for(PayoutPaid, booking_id)
        await asyncio.sleep(1.5)  # both replicas' schedulers ran several more times

        assert len(probe.of(PayoutPaid, booking_id)) == 1
        assert paid.owner_id == owner_id
        assert paid.amount == Money(amount_minor=6_499, currency="USD")
        transfers = await stripe_standin.events(type="transfer.created")
        assert [t["data"]["object"]["id"] for t in transfers] == [paid.transfer_id]
        transfer = transfers[0]["data"]["object"]
        assert transfer["transfer_group"] == str(booking_id)
        payment = await payments.payment_row(booking_id)
        assert transfer["source_transaction"] == payment.charge_ref
        # the money adds up: captured = refunds + payout + fee
        assert (
            payment.captured_minor
            == payment.refunded_minor + paid.amount.amount_minor + payment.fee_minor
        )
        listed = await replica.client.get(
            "/api/payments/owner/payouts", headers=token_issuer.headers("owner", owner_id)
        )
        assert [(p["booking_id"], p["status"], p["amount_minor"]) for p in listed.json()] == [
            (str(booking_id), "paid", 6_499)
        ]


async def test_payout_waits_for_its_not_before(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = await onboard(payments, probe, stripe_standin, token_issuer)
    booking_id, _ = await captured_booking(probe, stripe_standin, owner_id)

    later = datetime.now(UTC) + timedelta(hours=1)
    await probe.send(SchedulePayout(booking_id=booking_id, owner_id=owner_id, not_before=later))
    await asyncio.sleep(1.0)

    assert probe.of(PayoutPaid, booking_id) == []
    [payout] = await payments.rows(db.payouts, db.payouts.c.booking_id == booking_id)
    assert payout.status == "scheduled"


async def test_payouts_list_shows_the_amount_currency_and_earliest_time_before_paid(
    start_payments: PaymentsFactory,
    probe: Probe,
    stripe_standin: StripeStandin,
    token_issuer: TestIssuer,
) -> None:
    async with start_payments(dispute_window_hours=2) as payments:
        owner_id = await onboard(payments, probe, stripe_standin, token_issuer)
        booking_id, _ = await captured_booking(probe, stripe_standin, owner_id)
        completed = datetime.now(UTC).replace(microsecond=0)
        await probe.send(
            SchedulePayout(booking_id=booking_id, owner_id=owner_id, not_before=completed)
        )

        async def scheduled() -> bool:
            return bool(await payments.rows(db.payouts, db.payouts.c.booking_id == booking_id))

        await eventually(scheduled)
        listed = await payments.client.get(
            "/api/payments/owner/payouts", headers=token_issuer.headers("owner", owner_id)
        )

    [payout] = listed.json()
    assert (payout["status"], payout["amount_minor"], payout["currency"]) == (
        "scheduled",
        8_500,
        "USD",
    )
    assert datetime.fromisoformat(payout["not_before"]) == completed + timedelta(hours=2)
    assert payout["paid_at"] is None


async def test_dispute_before_payout_withholds_it_until_won(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = await onboard(payments, probe, stripe_standin, token_issuer)
    booking_id, _ = await captured_booking(probe, stripe_standin, owner_id)
    charge = (await payments.payment_row(booking_id)).charge_ref

    dispute = await stripe_standin.open_dispute(charge)
    [opened] = await probe.wait_for(DisputeOpened, booking_id)
    await schedule_payout(probe, booking_id, owner_id)
    await asyncio.sleep(1.5)
    withheld = probe.of(PayoutPaid, booking_id)
    [payout] = await payments.rows(db.payouts, db.payouts.c.booking_id == booking_id)
    await stripe_standin.close_dispute(dispute["id"], "won")
    [closed] = await probe.wait_for(DisputeClosed, booking_id)
    [paid] = await probe.wait_for(PayoutPaid, booking_id)

    assert withheld == []
    assert (payout.status, payout.hold) == ("scheduled", "disputed")
    assert opened.amount == Money(amount_minor=10_000, currency="USD")
    assert closed.outcome is DisputeOutcome.WON
    assert closed.dispute_id == opened.dispute_id
    assert paid.amount == Money(amount_minor=8_500, currency="USD")


async def test_dispute_after_payout_reverses_the_transfer(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    _, booking_id, paid = await paid_out_booking(payments, probe, stripe_standin, token_issuer)

    await stripe_standin.open_dispute((await payments.payment_row(booking_id)).charge_ref)
    await probe.wait_for(DisputeOpened, booking_id)
    [reversed_] = await probe.wait_for(PayoutReversed, booking_id)
    await asyncio.sleep(0.5)

    assert len(probe.of(PayoutReversed, booking_id)) == 1
    assert reversed_.transfer_id == paid.transfer_id
    assert reversed_.amount == paid.amount
    assert reversed_.reason == "dispute_opened"
    transfer = await stripe_standin.api("GET", f"/transfers/{paid.transfer_id}")
    assert transfer["amount_reversed"] == paid.amount.amount_minor
    [payout] = await payments.rows(db.payouts, db.payouts.c.booking_id == booking_id)
    assert (payout.status, payout.reversed_minor) == ("reversed", 8_500)
