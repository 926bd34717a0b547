"""Booking's commands about one booking take effect in the order that makes them correct,
whatever order (or how concurrently) they arrive in."""

from __future__ import annotations

import asyncio
import uuid

from contracts.payments import PaymentIntentReady, PaymentVoided, VoidPayment, VoidReason
from payments import db
from payments.db.unit import SqlPaymentsUnit
from payments.service import booking_commands
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin

from ..conftest import Payments, Probe, authorize_command, request_payment


async def test_a_void_before_its_authorize_means_no_payment_is_ever_offered(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """The intent made ahead of the authorize's transaction (Stripe is asked before the void
    is seen) is cancelled at once; the booker never gets its client secret."""
    cancelled = authorize_command()
    later = authorize_command()

    await probe.send(VoidPayment(booking_id=cancelled.booking_id, reason=VoidReason.CANCELLED))
    [voided] = await probe.wait_for(PaymentVoided, cancelled.booking_id)
    await probe.send(cancelled)
    await request_payment(probe, later)  # handled after the stale authorize

    async def cancelled_at_stripe() -> bool:
        row = await payments.payment_row(cancelled.booking_id)
        return row is not None and row.status == "voided"

    await eventually(cancelled_at_stripe)
    assert voided.payment_id is None
    assert probe.of(PaymentIntentReady, cancelled.booking_id) == []
    row = await payments.payment_row(cancelled.booking_id)
    intent = await stripe_standin.api("GET", f"/payment_intents/{row.intent_ref}")
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
    booking_calls = db.stripe_calls.c.booking_id == cancelled.booking_id
    calls = await payments.rows(db.stripe_calls, booking_calls)
    assert [(call.kind, call.status) for call in calls] == [("cancel", "done")]


async def test_authorize_and_void_racing_never_leave_a_payment_to_pay(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """Whichever commits first, every payment ends voided and its intent, if Stripe made one,
    cancelled. The runner makes the authorizations while the voids commit (several at once):
    an intent whose result committed before its void was offered, and the void cancels it."""
    commands = [authorize_command() for _ in range(12)]

    async def authorize(command: object) -> None:
        async with payments.runtime.units.begin(causation_id=uuid.uuid4()) as uow:
            await booking_commands.authorize(SqlPaymentsUnit(uow), payments.ctx, command)  # type: ignore[arg-type]

    async def void(booking_id: uuid.UUID) -> None:
        async with payments.runtime.units.begin(causation_id=uuid.uuid4()) as uow:
            message = VoidPayment(booking_id=booking_id, reason=VoidReason.HOLD_TIMED_OUT)
            await booking_commands.void(SqlPaymentsUnit(uow), payments.ctx, message)

    await asyncio.gather(*(task for c in commands for task in (authorize(c), void(c.booking_id))))
    for command in commands:
        await probe.wait_for(PaymentVoided, command.booking_id)
    await asyncio.sleep(1.0)

    for command in commands:
        booking = command.booking_id
        row = await payments.payment_row(booking)
        voided_first = await payments.rows(
            db.voided_bookings, db.voided_bookings.c.booking_id == booking
        )
        assert (row is None) == bool(voided_first), booking
        assert row is None or row.status == "voided", booking
        if row is not None and row.intent_ref is not None:  # Stripe was asked before the void
            intent = await stripe_standin.api("GET", f"/payment_intents/{row.intent_ref}")
            assert intent["status"] == "canceled", booking
        offered = probe.of(PaymentIntentReady, booking)
        if offered:  # the intent's result committed before the void: offered, then cancelled
            intent_ref = row.intent_ref if row is not None else None
            assert [ready.client_secret.split("_secret_")[0] for ready in offered] == [
                intent_ref
            ], booking
        assert len(probe.of(PaymentVoided, booking)) == 1
