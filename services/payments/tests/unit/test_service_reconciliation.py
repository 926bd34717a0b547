"""Reconciliation on in-memory units and a fake Stripe: a payment whose webhook is late is read
back from Stripe and moved as the webhook would have moved it; the events Stripe lists that no
webhook delivered are stored and processed like webhooks' events."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.payments import PaymentAuthorized, PaymentCaptured
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.provider import ProviderEvent
from payments.service.context import Context
from payments.service.reconciliation import (
    EVENTS_CURSOR,
    replay_missed_events,
    reread_waiting_payments,
)
from payments.service.stripe_event_handlers import EVENT_HANDLERS
from payments.service.stripe_events import process_stored_events

from .fake_stripe import FakeStripe, intent_ref_of
from .fakes import FakePaymentsUnits
from .service_world import (
    NOW,
    StoppedClock,
    authorize_command,
    authorized_by_stripe,
    deliver,
    run_calls,
    send,
)


async def waiting_for_the_card(units: FakePaymentsUnits, ctx: Context) -> uuid.UUID:
    """A payment whose intent exists at Stripe, no webhook heard about it yet."""
    command = authorize_command(amount_minor=10_000)
    await send(units, ctx, command)
    await run_calls(units, ctx)
    return command.booking_id


def authorized_at_stripe(booking_id: uuid.UUID) -> IntentSnapshot:
    return IntentSnapshot(
        intent_ref_of(booking_id),
        PaymentStatus.AUTHORIZED,
        amount_capturable_minor=10_000,
        charge_ref="ch_1",
        capture_before=NOW + timedelta(days=7),
        booking_id=booking_id,
    )


async def test_a_payment_whose_webhook_is_late_is_read_back_and_authorized(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    booking_id = await waiting_for_the_card(units, ctx)
    stripe.intents[intent_ref_of(booking_id)] = authorized_at_stripe(booking_id)
    clock.now = NOW + timedelta(seconds=ctx.settings.webhook_grace_seconds + 1)

    assert await reread_waiting_payments(units, ctx) == 1

    assert stripe.made("retrieve_intent") == [{"intent_ref": intent_ref_of(booking_id)}]
    [authorized] = units.outbox.messages(PaymentAuthorized)
    assert authorized.booking_id == booking_id
    assert units.tables.payments[booking_id].status is PaymentStatus.AUTHORIZED


async def test_a_payment_still_within_the_webhooks_grace_is_left_to_the_webhook(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    await waiting_for_the_card(units, ctx)
    clock.now = NOW + timedelta(seconds=ctx.settings.webhook_grace_seconds - 1)

    assert await reread_waiting_payments(units, ctx) == 0

    assert stripe.made("retrieve_intent") == []


async def test_a_payment_still_pending_at_stripe_is_read_again_only_after_another_grace(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    booking_id = await waiting_for_the_card(units, ctx)
    intent_ref = intent_ref_of(booking_id)
    stripe.intents[intent_ref] = IntentSnapshot(intent_ref, PaymentStatus.PENDING)
    grace = timedelta(seconds=ctx.settings.webhook_grace_seconds + 1)
    clock.now = NOW + grace

    assert await reread_waiting_payments(units, ctx) == 1
    assert await reread_waiting_payments(units, ctx) == 0
    clock.now += grace
    assert await reread_waiting_payments(units, ctx) == 1

    assert units.outbox.messages(PaymentAuthorized) == []
    assert len(stripe.made("retrieve_intent")) == 2


def captured_event(booking_id: uuid.UUID, seconds_after: int) -> ProviderEvent:
    intent = IntentSnapshot(
        intent_ref_of(booking_id),
        PaymentStatus.CAPTURED,
        amount_received_minor=10_000,
        charge_ref="ch_1",
        booking_id=booking_id,
    )
    created = NOW + timedelta(seconds=seconds_after)
    return ProviderEvent(f"evt_{seconds_after}", "payment_intent.succeeded", created, intent)


async def test_an_event_no_webhook_delivered_is_stored_once_and_processed(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await authorized_by_stripe(units, ctx)
    delivered, missed = (
        captured_event(command.booking_id, 10),
        captured_event(command.booking_id, 20),
    )
    await deliver(units, ctx, delivered)
    stripe.events = [delivered, missed]

    assert await replay_missed_events(units, ctx) == 1
    assert await replay_missed_events(units, ctx) == 0
    await process_stored_events(units, ctx)

    assert units.tables.events[missed.id].source == "reconciliation"
    assert [c.booking_id for c in units.outbox.messages(PaymentCaptured)] == [command.booking_id]


async def test_events_listed_again_are_looked_up_at_once_not_stored_one_by_one(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """The overlap lists every event again at each pass: a pass whose events are all stored
    commits its look and its cursor, whatever their number."""
    command = await authorized_by_stripe(units, ctx)
    events = [captured_event(command.booking_id, seconds) for seconds in range(10, 60, 10)]
    for event in events:
        await deliver(units, ctx, event)
    stripe.events = events
    commits = units.outbox.commits

    assert await replay_missed_events(units, ctx) == 0

    # Where the last pass got, which events are stored, and the cursor moved.
    assert units.outbox.commits == commits + 3


async def test_a_pass_that_lists_nothing_commits_only_its_cursor_read(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    stripe.events = []
    commits = units.outbox.commits

    assert await replay_missed_events(units, ctx) == 0

    assert units.outbox.commits == commits + 1


async def test_stripes_event_list_is_read_from_where_the_last_pass_got_less_the_overlap(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    lookback = ctx.settings.reconcile_lookback_seconds
    booking_id = await waiting_for_the_card(units, ctx)
    stripe.events = [captured_event(booking_id, 30)]

    await replay_missed_events(units, ctx)
    stripe.events = []
    await replay_missed_events(units, ctx)

    newest = int(NOW.timestamp()) + 30
    asked = [made["created_gte"] for made in stripe.made("undelivered_events_since")]
    assert asked == [int(NOW.timestamp()) - lookback, newest - lookback]
    assert units.tables.cursors[EVENTS_CURSOR] == newest


async def test_stripe_is_asked_only_for_the_undelivered_events_of_the_types_payments_handles(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    await replay_missed_events(units, ctx)

    [asked] = stripe.made("undelivered_events_since")
    assert asked["types"] == set(EVENT_HANDLERS)
