"""When Stripe fails: a queued call is retried with a growing delay under its idempotency key,
the authorization is given up on after the last attempt (booking hears it failed), a call that
moves money never is, and a call another runner holds is left to it until its lease runs out.
The process that records an authorization makes it without claiming it. Calls of different
bookings are made at once, one booking's one after the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from contracts.payments import (
    CapturePayment,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
    PaymentIntentReady,
    PaymentRefunded,
)
from payments.config import PaymentsSettings
from payments.domain.payment_states import PaymentStatus
from payments.provider import IntentSnapshot, ProviderUnavailable
from payments.service.context import Context
from payments.service.stripe_calls import StripeCalls

from .fake_stripe import FakeStripe
from .fakes import FakePaymentsUnits
from .service_world import (
    NOW,
    StoppedClock,
    authorize_command,
    authorized_by_stripe,
    captured_by_stripe,
    refund_command,
    run_calls,
    send,
)

DOWN = ProviderUnavailable("stripe: 503")


async def test_a_failing_call_is_retried_after_a_growing_delay_with_the_same_key(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    command = authorize_command()
    await send(units, ctx, command, ahead=False)
    stripe.fail("create_intent", DOWN, DOWN)

    await run_calls(units, ctx)
    call = units.tables.calls[0]
    assert (call.status, call.attempts, call.run_after) == (
        "pending",
        1,
        NOW + timedelta(seconds=2),
    )
    assert call.last_error == repr(DOWN)
    clock.now = NOW + timedelta(seconds=2)
    await run_calls(units, ctx)
    call = units.tables.calls[0]
    assert (call.attempts, call.run_after) == (2, clock.now + timedelta(seconds=4))
    clock.now += timedelta(seconds=3)
    assert await run_calls(units, ctx) == 0  # not due yet
    clock.now += timedelta(seconds=1)
    await run_calls(units, ctx)

    keys = [made["idempotency_key"] for made in stripe.made("create_intent")]
    assert keys == [f"{command.booking_id}:authorize"] * 3
    assert [ready.booking_id for ready in units.outbox.messages(PaymentIntentReady)] == [
        command.booking_id
    ]
    assert (units.tables.calls[0].status, units.tables.calls[0].attempts) == ("done", 3)


async def test_the_authorization_is_given_up_after_the_last_attempt_and_booking_told(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    command = authorize_command()
    await send(units, ctx, command, ahead=False)
    stripe.fail("create_intent", *[DOWN] * 20)

    for _ in range(20):
        await run_calls(units, ctx)
        clock.now += timedelta(minutes=5)

    assert len(stripe.made("create_intent")) == ctx.settings.step_max_attempts
    [call] = units.tables.calls
    assert (call.status, call.attempts) == ("failed", ctx.settings.step_max_attempts)
    [failed] = units.outbox.messages(PaymentFailed)
    assert (failed.booking_id, failed.reason) == (
        command.booking_id,
        PaymentFailureReason.PROCESSING_ERROR,
    )
    assert units.tables.payments[command.booking_id].status is PaymentStatus.FAILED


async def test_a_refund_keeps_being_retried_past_the_last_attempt_every_five_minutes(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    command = await captured_by_stripe(units, ctx)
    refund = refund_command(command.booking_id, 4_000)
    await send(units, ctx, refund)
    attempts = ctx.settings.step_max_attempts + 2
    stripe.fail("refund", *[DOWN] * attempts)

    for _ in range(attempts):
        await run_calls(units, ctx)
        clock.now += timedelta(minutes=5)

    call = units.tables.calls[-1]
    assert (call.status, call.attempts) == ("pending", attempts)
    assert call.run_after == clock.now
    assert units.outbox.messages(PaymentRefunded) == []
    await run_calls(units, ctx)
    assert [r.refund_id for r in units.outbox.messages(PaymentRefunded)] == [refund.refund_id]


async def test_a_call_leased_by_another_runner_is_not_taken_until_its_lease_runs_out(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    command = authorize_command()
    await send(units, ctx, command, ahead=False)
    # The process that recorded the call took it, and died before making it.
    [taken] = ctx.taken_calls
    ctx.taken_calls.clear()
    async with units.begin() as uow:  # no other runner may claim it meanwhile
        assert await uow.stripe_calls.claim(lease_seconds=60) is None

    assert await StripeCalls(units, ctx).run_due() == 0
    assert stripe.made("create_intent") == []
    clock.now = NOW + timedelta(seconds=ctx.settings.step_lease_seconds)
    runner = StripeCalls(units, ctx)
    assert await runner.run_due() == 1
    await runner.settled()

    [made] = stripe.made("create_intent")
    assert made["idempotency_key"] == taken.call.idempotency_key
    assert units.tables.calls[0].attempts == 2


async def test_a_bookings_later_call_waits_for_its_earlier_one_to_go_through(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    command = await captured_by_stripe(units, ctx)
    first = refund_command(command.booking_id, 1_000)
    second = refund_command(command.booking_id, 2_000)
    await send(units, ctx, first)
    await send(units, ctx, second)
    stripe.fail("refund", DOWN)

    await run_calls(units, ctx)
    assert [made["refund_id"] for made in stripe.made("refund")] == [first.refund_id]
    clock.now += timedelta(minutes=5)
    await run_calls(units, ctx)

    refunded = units.outbox.messages(PaymentRefunded)
    assert [(r.refund_id, r.total_refunded.amount_minor) for r in refunded] == [
        (first.refund_id, 1_000),
        (second.refund_id, 3_000),
    ]


async def test_an_authorization_is_made_by_the_process_that_recorded_it_without_a_claim(
    units: FakePaymentsUnits, stripe: FakeStripe
) -> None:
    """Its outcome is the one transaction per call after the command's: the runner, which
    looked for due calls a moment ago, does not look again for calls it was handed."""
    settings = PaymentsSettings(stripe_api_base="http://127.0.0.1:9", step_poll_seconds=3600)
    ctx = Context(settings, stripe)
    runner = StripeCalls(units, ctx)
    assert await runner.run_due() == 0  # a look, as at the start
    for _ in range(2):
        await send(units, ctx, authorize_command(), ahead=False)
    commits = units.outbox.commits

    assert await runner.run_due() == 2
    await runner.settled()

    assert units.outbox.commits == commits + 2
    assert len(stripe.made("create_intent")) == 2
    assert len(units.outbox.messages(PaymentIntentReady)) == 2
    assert [call.attempts for call in units.tables.calls] == [1, 1]


async def test_a_call_recorded_and_not_taken_is_claimed_in_the_same_round(
    units: FakePaymentsUnits, stripe: FakeStripe
) -> None:
    """A capture is recorded for any runner to claim: a round that runs handed calls still
    looks for it, though it looked a moment ago."""
    settings = PaymentsSettings(stripe_api_base="http://127.0.0.1:9", step_poll_seconds=3600)
    ctx = Context(settings, stripe)
    command = await authorized_by_stripe(units, ctx)
    await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    await send(units, ctx, authorize_command(), ahead=False)

    runner = StripeCalls(units, ctx)
    assert await runner.run_due() == 2
    await runner.settled()

    assert len(stripe.made("capture")) == 1
    assert len(stripe.made("create_intent")) == 2


class HeldStripe(FakeStripe):
    """Captures and refunds wait at Stripe while `answer` is clear, as a slow Stripe's do."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = asyncio.Event()
        self.answer.set()
        self.in_flight: list[str] = []

    async def capture(
        self, intent_ref: str, *, amount_minor: int, idempotency_key: str
    ) -> IntentSnapshot:
        async with self._held(idempotency_key):
            return await super().capture(
                intent_ref, amount_minor=amount_minor, idempotency_key=idempotency_key
            )

    async def refund(self, *args: Any, **kwargs: Any) -> Any:
        async with self._held(kwargs["idempotency_key"]):
            return await super().refund(*args, **kwargs)

    @contextlib.asynccontextmanager
    async def _held(self, idempotency_key: str) -> AsyncIterator[None]:
        self.in_flight.append(idempotency_key)
        try:
            await self.answer.wait()
            yield
        finally:
            self.in_flight.remove(idempotency_key)


async def test_calls_of_different_bookings_are_made_at_once_and_one_bookings_in_order(
    units: FakePaymentsUnits,
) -> None:
    stripe = HeldStripe()
    ctx = Context(
        PaymentsSettings(stripe_api_base="http://127.0.0.1:9", stripe_calls_at_once=3), stripe
    )
    refunded = await captured_by_stripe(units, ctx)
    first = refund_command(refunded.booking_id, 1_000)
    second = refund_command(refunded.booking_id, 2_000)
    others = [await authorized_by_stripe(units, ctx) for _ in range(3)]
    for command in (first, second):
        await send(units, ctx, command)
    for command in others:
        await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    stripe.answer.clear()

    runner = asyncio.create_task(run_calls(units, ctx))
    await at_stripe(stripe, 3)

    # As many as allowed at once: the first refund and two captures, not the second refund.
    assert len(stripe.in_flight) == 3
    assert f"{first.refund_id}:refund" in stripe.in_flight
    assert not runner.done()
    stripe.answer.set()
    assert await runner == 5
    assert [made["refund_id"] for made in stripe.made("refund")] == [
        first.refund_id,
        second.refund_id,
    ]
    assert len(stripe.made("capture")) == 1 + 3
    assert stripe.in_flight == []


async def test_a_stopped_runner_leaves_its_calls_in_flight_to_be_made_after_their_lease(
    units: FakePaymentsUnits, clock: StoppedClock
) -> None:
    stripe = HeldStripe()
    ctx = Context(PaymentsSettings(stripe_api_base="http://127.0.0.1:9"), stripe)
    command = await authorized_by_stripe(units, ctx)
    await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    stripe.answer.clear()
    runner = StripeCalls(units, ctx)
    assert await runner.run_due() == 1
    await at_stripe(stripe, 1)
    [asked] = stripe.in_flight

    await runner.stop()

    [capture] = [call for call in units.tables.calls if call.idempotency_key.endswith("capture")]
    assert (capture.status, capture.attempts) == ("pending", 1)
    assert units.outbox.messages(PaymentCaptured) == []
    stripe.answer.set()
    clock.now += timedelta(seconds=ctx.settings.step_lease_seconds)
    await run_calls(units, ctx)
    [made] = stripe.made("capture")
    assert made["idempotency_key"] == asked
    assert len(units.outbox.messages(PaymentCaptured)) == 1


async def at_stripe(stripe: HeldStripe, calls: int) -> None:
    """Until `calls` calls wait at Stripe, or as many as got there by the time they could."""
    for _ in range(100):
        if len(stripe.in_flight) >= calls:
            return
        await asyncio.sleep(0)
