"""The queues of Stripe calls and events on PostgreSQL: each claim takes one row, with what its
runner needs (the call's payment, the event's booking trace) and whether more waits, in one
statement."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from payments.db.unit import SqlPaymentsUnits
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.domain.payments import new_payment
from payments.domain.stripe_calls import AuthorizeParams
from payments.provider import ProviderEvent

from ..conftest import PaymentsFactory, authorize_command

TRACES = ["00-" + "a" * 32 + "-" + "b" * 16 + "-01", "00-" + "c" * 32 + "-" + "d" * 16 + "-01"]


async def test_a_claim_takes_one_row_with_what_its_runner_needs(
    start_payments: PaymentsFactory,
) -> None:
    # The service's own workers only poll (hourly): this test takes the rows itself.
    quiet = {"step_poll_seconds": 3600, "reconcile_interval_seconds": 3600}
    async with start_payments(**quiet) as service:
        units = SqlPaymentsUnits(service.runtime.units)
        commands = [authorize_command(), authorize_command()]
        async with units.begin() as uow:
            stored = []
            for command, trace in zip(commands, TRACES, strict=True):
                payment = new_payment(command, now=uow.now, window=timedelta(days=6))
                stored.append(replace(payment, intent_ref=f"pi_{command.booking_id.hex}"))
                await uow.payments.add(stored[-1])
                await uow.stripe_calls.add(
                    booking_id=command.booking_id,
                    params=AuthorizeParams(description="Studio A"),
                    idempotency_key=f"{command.booking_id}:authorize",
                    traceparent=trace,
                )
            intent = IntentSnapshot(stored[1].intent_ref or "", PaymentStatus.AUTHORIZED)
            event = ProviderEvent("evt_q", "payment_intent.succeeded", datetime.now(UTC), intent)
            await uow.stripe_events.store(event, "webhook")

        async with units.begin() as uow:
            first = await uow.stripe_calls.claim(lease_seconds=60)
            second = await uow.stripe_calls.claim(lease_seconds=60)
            assert await uow.stripe_calls.claim(lease_seconds=60) is None
            taken = await uow.stripe_events.claim(lease_seconds=60)
            assert await uow.stripe_events.claim(lease_seconds=60) is None

    assert first is not None
    assert second is not None
    assert (first.call.booking_id, first.call.attempts, first.more_due) == (
        commands[0].booking_id,
        1,
        True,
    )
    assert (first.payment, second.payment, second.more_due) == (stored[0], stored[1], False)
    assert taken is not None
    assert (taken.event, taken.traceparent, taken.more_due) == (event, TRACES[1], False)
