"""An admin's refund after the owner was paid: the owner's share comes back once, by a transfer
reversal, and the ledger still balances."""

from __future__ import annotations

import uuid

from contracts.payments import PaymentRefunded, PayoutReversed
from payments import db
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin
from tests.fixtures.tokens import TestIssuer

from ..conftest import Payments, Probe
from .test_payouts import captured_booking, onboard, paid_out_booking


def _refunds(booking_id: uuid.UUID) -> str:
    return f"/api/payments/admin/bookings/{booking_id}/refunds"


async def test_admin_refund_after_the_payout_reverses_the_owners_share_once(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id, booking_id, paid = await paid_out_booking(
        payments, probe, stripe_standin, token_issuer
    )
    admin = {**token_issuer.headers("admin"), "Idempotency-Key": "goodwill-1"}
    body = {"amount_minor": 3_001, "reason": "the studio's heating was off"}

    first = await payments.client.post(_refunds(booking_id), json=body, headers=admin)
    again = await payments.client.post(_refunds(booking_id), json=body, headers=admin)
    [refunded] = await probe.wait_for(PaymentRefunded, booking_id)
    [reversed_] = await probe.wait_for(PayoutReversed, booking_id)

    assert first.status_code == 201, first.text
    assert again.json()["refund_id"] == first.json()["refund_id"]
    assert first.json()["amount_minor"] == refunded.amount.amount_minor == 3_001
    # The owner was paid 8 500 of 10 000: 3 001 * 0.85 = 2 550.85 comes back.
    assert paid.amount.amount_minor == 8_500
    assert reversed_.amount.amount_minor == 2_551
    transfer = await stripe_standin.api("GET", f"/transfers/{paid.transfer_id}/reversals")
    assert [reversal["amount"] for reversal in transfer["data"]] == [2_551]
    [row] = await payments.rows(db.refunds)
    assert row.note == "the studio's heating was off"

    async def ledger_balances() -> bool:
        payment = await payments.payment_row(booking_id)
        [payout] = await payments.rows(db.payouts)
        fee_kept = (
            payment.captured_minor
            - payment.refunded_minor
            - (payout.amount_minor - payout.reversed_minor)
        )
        return payout.reversed_minor == 2_551 and 0 <= fee_kept <= payment.fee_minor

    await eventually(ledger_balances)
    payouts = await payments.client.get(
        "/api/payments/owner/payouts", headers=token_issuer.headers("owner", owner_id)
    )
    assert payouts.json()[0]["reversed_minor"] == 2_551


async def test_admin_refund_refusals(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin, token_issuer: TestIssuer
) -> None:
    owner_id = await onboard(payments, probe, stripe_standin, token_issuer)
    booking_id, _ = await captured_booking(probe, stripe_standin, owner_id)
    admin = token_issuer.headers("admin")
    body = {"amount_minor": 10_001, "reason": "goodwill"}

    too_much = await payments.client.post(_refunds(booking_id), json=body, headers=admin)
    unknown = await payments.client.post(_refunds(uuid.uuid4()), json=body, headers=admin)
    owner = await payments.client.post(
        _refunds(booking_id), json=body, headers=token_issuer.headers("owner", owner_id)
    )
    no_reason = await payments.client.post(
        _refunds(booking_id), json={"amount_minor": 1}, headers=admin
    )

    assert too_much.status_code == 409
    assert too_much.headers["content-type"] == "application/problem+json"
    assert unknown.status_code == 404
    assert owner.status_code == 403
    assert no_reason.status_code == 422
    assert await payments.rows(db.refunds) == []
