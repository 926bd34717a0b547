"""The queues of Stripe calls and events on PostgreSQL: each claim takes one row, with what its
runner needs (the call's payment, the event's booking trace) and whether more waits, in one
statement."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from contracts.payments import AuthorizePayment
from payments.db.unit import SqlPaymentsUnits
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.domain.payments import new_payment
from payments.domain.stripe_calls import AuthorizeParams
from payments.provider import ChargeSnapshot, ProviderEvent
from payments.stripe_queue_repositories import MarkedEvent, RecordedCall
from service_runtime.tracing import continued_trace

from ..conftest import PaymentsFactory, authorize_command

# The service's own workers only poll (hourly): these tests take the rows themselves.
QUIET = {"step_poll_seconds": 3600, "reconcile_interval_seconds": 3600}
TRACES = ["00-" + "a" * 32 + "-" + "b" * 16 + "-01", "00-" + "c" * 32 + "-" + "d" * 16 + "-01"]


async def test_a_claim_takes_one_row_with_what_its_runner_needs(
    start_payments: PaymentsFactory,
) -> None:
    async with start_payments(**QUIET) as service:
        units = SqlPaymentsUnits(service.runtime.units)
        commands = [authorize_command(), authorize_command()]
        async with units.begin() as uow:
            stored = []
            for command, trace in zip(commands, TRACES, strict=True):
                payment = new_payment(command, now=uow.now, window=timedelta(days=6))
                stored.append(replace(payment, intent_ref=f"pi_{command.booking_id.hex}"))
                with continued_trace(trace):  # the payment keeps the trace it is asked for in
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


async def test_an_event_applied_as_it_arrives_is_stored_processed_with_its_booking_s_trace(
    start_payments: PaymentsFactory,
) -> None:
    async with start_payments(**QUIET) as service:
        units = SqlPaymentsUnits(service.runtime.units)
        command = authorize_command()
        async with units.begin() as uow:
            payment = new_payment(command, now=uow.now, window=timedelta(days=6))
            payment = replace(payment, intent_ref="pi_arriving")
            with continued_trace(TRACES[0]):
                await uow.payments.add(payment)
        charge = ChargeSnapshot("ch_arriving", "pi_arriving", 11_000, 11_000)
        on_charge = ProviderEvent("evt_c", "charge.refunded", datetime.now(UTC), charge=charge)
        unknown = IntentSnapshot("pi_unknown", PaymentStatus.AUTHORIZED)
        elsewhere = ProviderEvent("evt_u", "payment_intent.succeeded", datetime.now(UTC), unknown)
        async with units.begin() as uow:
            marked = await uow.stripe_events.store_processed_in_trace(on_charge, "webhook")
            untraced = await uow.stripe_events.store_processed_in_trace(elsewhere, "webhook")
            again = await uow.stripe_events.store_processed_in_trace(on_charge, "webhook")
        async with units.begin() as uow:
            waiting = await uow.stripe_events.claim(lease_seconds=60)
            stored = await uow.stripe_events.stored_among(["evt_c", "evt_u"])

    assert (marked, untraced, again) == (MarkedEvent(TRACES[0]), MarkedEvent(None), None)
    assert (waiting, stored) == (None, {"evt_c", "evt_u"})  # stored, and none left to process


async def test_a_call_taken_as_it_is_recorded_is_claimed_only_once_its_lease_runs_out(
    start_payments: PaymentsFactory,
) -> None:
    """Taken unless an earlier call of its booking is pending; a later one waits behind it."""
    async with start_payments(**QUIET) as service:
        units = SqlPaymentsUnits(service.runtime.units)
        held, lapsed = authorize_command(), authorize_command()
        async with units.begin() as uow:
            for command in (held, lapsed):
                await uow.payments.add(new_payment(command, now=uow.now, window=timedelta(days=6)))

            async def add(
                command: AuthorizePayment, step: str, lease: float
            ) -> RecordedCall | None:
                return await uow.stripe_calls.add(
                    booking_id=command.booking_id,
                    params=AuthorizeParams(description="Studio A"),
                    idempotency_key=f"{command.booking_id}:{step}",
                    lease_seconds=lease,
                )

            first = await add(held, "authorize", 60)
            behind = await add(held, "again", 60)
            again = await add(held, "authorize", 60)
            crashed = await add(lapsed, "authorize", 0)  # its taker died; its lease is over

        async with units.begin() as uow:
            claimed = await uow.stripe_calls.claim(lease_seconds=60)
            assert await uow.stripe_calls.claim(lease_seconds=60) is None

    recorded = [None if r is None else r.attempts for r in (first, behind, again, crashed)]
    assert recorded == [1, 0, None, 1]
    assert crashed is not None
    assert claimed is not None
    assert (claimed.call.id, claimed.call.booking_id, claimed.call.attempts) == (
        crashed.id,
        lapsed.booking_id,
        2,
    )


async def test_which_of_a_list_of_events_are_stored_is_one_statement(
    start_payments: PaymentsFactory,
) -> None:
    async with start_payments(**QUIET) as service:
        units = SqlPaymentsUnits(service.runtime.units)
        intent = IntentSnapshot("pi_listed", PaymentStatus.AUTHORIZED)
        stored = [
            ProviderEvent(f"evt_{n}", "payment_intent.succeeded", datetime.now(UTC), intent)
            for n in range(2)
        ]
        async with units.begin() as uow:
            for event in stored:
                await uow.stripe_events.store(event, "webhook")
        async with units.one_statement() as uow:
            found = await uow.stripe_events.stored_among(["evt_0", "evt_1", "evt_unknown"])
            none = await uow.stripe_events.stored_among([])

    assert (found, none) == ({"evt_0", "evt_1"}, set())
