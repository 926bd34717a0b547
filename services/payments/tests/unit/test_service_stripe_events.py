"""Stripe's events on in-memory units: stored once, processed once, and the messages booking
hears from them."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from contracts.payments import (
    CaptureStrategy,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
)
from contracts.values import Money
from payments.domain.payment_states import CardFailure, IntentSnapshot, PaymentStatus
from payments.domain.stripe_calls import CaptureParams
from payments.provider import ProviderEvent
from payments.repositories import PaymentsUnit
from payments.service import stripe_event_handlers
from payments.service.authorization_reads import DEADLINES_REMEMBERED
from payments.service.card_checks import check_card
from payments.service.context import Context
from payments.service.stripe_events import (
    process_stored_events,
    receive_event,
    receive_webhook_event,
)

from .fake_stripe import FakeStripe
from .fakes import FakePaymentsUnits
from .service_world import NOW, StoppedClock, authorize_command, deliver, send, stripe_says


async def test_an_authorization_tells_booking_with_its_deadline(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=9_000)
    await send(units, ctx, command)

    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)

    [authorized] = units.outbox.messages(PaymentAuthorized)
    payment = units.tables.payments[command.booking_id]
    assert authorized.payment_id == payment.id
    assert authorized.amount == Money(amount_minor=9_000, currency="EUR")
    assert authorized.capture_strategy is CaptureStrategy.AUTHORIZE_THEN_CAPTURE
    assert authorized.authorized_at == NOW
    assert authorized.authorization_expires_at is not None
    assert payment.status is PaymentStatus.AUTHORIZED


async def test_a_capture_seen_first_announces_the_authorization_too(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000, fee_minor=1_500)
    await send(units, ctx, command)
    offered = len(units.outbox.published)

    await stripe_says(units, ctx, command.booking_id, PaymentStatus.CAPTURED, received_minor=6_000)

    published = [type(m) for m, _ in units.outbox.published[offered:]]
    assert published == [PaymentAuthorized, PaymentCaptured]
    [captured] = units.outbox.messages(PaymentCaptured)
    assert captured.amount == Money(amount_minor=6_000, currency="EUR")
    assert captured.platform_fee == Money(amount_minor=900, currency="EUR")


async def test_an_authorization_to_capture_at_once_queues_the_capture(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000)
    command = command.model_copy(
        update={
            "session_ends_at": NOW.replace(year=2031),
            "session_starts_at": NOW.replace(year=2031),
        }
    )
    await send(units, ctx, command)

    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)

    [capture] = [c for c in units.tables.calls if isinstance(c.params, CaptureParams)]
    assert capture.params.amount_minor == 10_000


async def test_an_event_delivered_twice_is_applied_once(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command()
    await send(units, ctx, command)
    intent = IntentSnapshot(
        "pi_1", PaymentStatus.AUTHORIZED, capture_before=NOW, booking_id=command.booking_id
    )
    event = ProviderEvent(
        id="evt_1", type="payment_intent.amount_capturable_updated", created=NOW, intent=intent
    )

    await deliver(units, ctx, event)
    assert not await receive_event(units, ctx, event, source="reconciliation")
    await deliver(units, ctx, event)

    assert len(units.outbox.messages(PaymentAuthorized)) == 1
    assert units.tables.events["evt_1"].processed


async def test_a_declined_card_lets_the_booker_retry(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command()
    await send(units, ctx, command)
    intent = IntentSnapshot(
        "pi_2",
        PaymentStatus.PENDING,
        failure=CardFailure(PaymentFailureReason.CARD_DECLINED, "insufficient_funds"),
        booking_id=command.booking_id,
    )

    await deliver(
        units,
        ctx,
        ProviderEvent(id="evt_2", type="payment_intent.payment_failed", created=NOW, intent=intent),
    )

    [failed] = units.outbox.messages(PaymentFailed)
    assert (failed.reason, failed.decline_code, failed.retryable) == (
        PaymentFailureReason.CARD_DECLINED,
        "insufficient_funds",
        True,
    )
    assert units.tables.payments[command.booking_id].status is PaymentStatus.PENDING


async def test_an_event_about_an_unknown_intent_is_processed_and_changes_nothing(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    event = ProviderEvent(
        id="evt_3",
        type="payment_intent.succeeded",
        created=NOW,
        intent=IntentSnapshot("pi_3", PaymentStatus.CAPTURED),
    )

    await deliver(units, ctx, event)

    assert units.tables.events["evt_3"].processed
    assert units.outbox.published == []


async def _authorization_of_a_payment(
    units: FakePaymentsUnits, ctx: Context, **intent: Any
) -> ProviderEvent:
    """A payment requested, and Stripe's event that authorizes it (not delivered yet)."""
    command = authorize_command()
    await send(units, ctx, command)
    return _authorized(command.booking_id, **intent)


def _authorized(booking_id: uuid.UUID, intent_ref: str = "pi_4", **intent: Any) -> ProviderEvent:
    snapshot = IntentSnapshot(intent_ref, PaymentStatus.AUTHORIZED, booking_id=booking_id, **intent)
    return ProviderEvent(
        id=f"evt_{uuid.uuid4().hex}",
        type="payment_intent.amount_capturable_updated",
        created=NOW,
        intent=snapshot,
    )


async def test_a_webhook_is_stored_applied_and_marked_in_one_transaction_after_its_read_at_stripe(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    event = await _authorization_of_a_payment(units, ctx, charge_ref="ch_4")
    commits = units.outbox.commits

    assert await receive_webhook_event(units, _handing_over(ctx), event)

    assert units.outbox.commits == commits + 1
    assert stripe.made("charge_capture_before") == [{"charge_ref": "ch_4"}]
    assert units.tables.events[event.id].processed
    assert len(units.outbox.messages(PaymentAuthorized)) == 1
    assert not ctx.fresh_events  # nothing left to process after
    assert not await receive_webhook_event(units, ctx, event)  # Stripe delivers it again
    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_a_webhook_after_the_booker_s_page_had_the_payment_read_reads_nothing_at_stripe(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """The page's read (`card_checks`) authorized the payment with its deadline: the webhook's
    event, which names the charge only, changes nothing, so this process does not read the
    deadline again. Another replica, which did not see the read, does."""
    command = authorize_command()
    await send(units, ctx, command)
    [payment] = units.tables.of_booking(command.booking_id)
    assert payment.intent_ref is not None
    stripe.intents[payment.intent_ref] = IntentSnapshot(
        payment.intent_ref, PaymentStatus.AUTHORIZED, capture_before=NOW + timedelta(days=7)
    )
    assert await check_card(units, ctx, command.booking_id, command.booker_id) == 1
    webhook = _authorized(command.booking_id, payment.intent_ref, charge_ref="ch_4")
    delivered_again = replace(webhook, id=f"{webhook.id}_again")

    assert await receive_webhook_event(units, _handing_over(ctx), webhook)
    read_here = stripe.made("charge_capture_before")
    another_replica = Context(ctx.settings, ctx.gateway)
    assert await receive_webhook_event(units, another_replica, delivered_again)

    assert read_here == []
    assert stripe.made("charge_capture_before") == [{"charge_ref": "ch_4"}]
    assert units.tables.events[webhook.id].processed
    assert len(units.outbox.messages(PaymentAuthorized)) == 1
    assert units.tables.of_booking(command.booking_id)[0].authorization_expires_at == (
        NOW + timedelta(days=7)
    )


async def _held(target: object, name: str, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """`target.name` (a coroutine function) waits until the returned event is set."""
    release, answer = asyncio.Event(), getattr(target, name)

    async def held(*args: Any) -> Any:
        await release.wait()
        return await answer(*args)

    monkeypatch.setattr(target, name, held)
    return release


async def test_the_booker_s_page_reads_nothing_while_a_webhook_reads_the_authorization(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stripe's webhook and the page come within moments of each other: while the webhook
    reads the authorization's deadline (and then applies it), the page's call reads nothing
    (each read counts against our account's rate limit at Stripe). The fake units run one at a
    time; `test_card_confirmed` has the webhook's transaction race the page's on PostgreSQL."""
    command = authorize_command()
    await send(units, ctx, command)
    [payment] = units.tables.of_booking(command.booking_id)
    assert payment.intent_ref is not None
    webhook = _authorized(command.booking_id, payment.intent_ref, charge_ref="ch_4")
    release = await _held(stripe, "charge_capture_before", monkeypatch)

    webhook_task = asyncio.create_task(receive_webhook_event(units, _handing_over(ctx), webhook))
    await asyncio.sleep(0.01)  # held there
    read_by_page = await check_card(units, ctx, command.booking_id, command.booker_id)
    release.set()
    assert await webhook_task

    assert read_by_page == 0
    assert stripe.made("retrieve_intent") == []
    assert stripe.made("charge_capture_before") == [{"charge_ref": "ch_4"}]
    assert len(units.outbox.messages(PaymentAuthorized)) == 1
    assert units.tables.of_booking(command.booking_id)[0].status is PaymentStatus.AUTHORIZED


async def test_a_webhook_takes_the_deadline_the_booker_s_page_is_reading(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = authorize_command()
    await send(units, ctx, command)
    [payment] = units.tables.of_booking(command.booking_id)
    assert payment.intent_ref is not None
    deadline = NOW + timedelta(days=7)
    stripe.intents[payment.intent_ref] = IntentSnapshot(
        payment.intent_ref, PaymentStatus.AUTHORIZED, capture_before=deadline
    )
    webhook = _authorized(command.booking_id, payment.intent_ref, charge_ref="ch_4")
    release = await _held(stripe, "retrieve_intent", monkeypatch)

    page = asyncio.create_task(check_card(units, ctx, command.booking_id, command.booker_id))
    await asyncio.sleep(0.01)  # its read at Stripe under way
    webhook_task = asyncio.create_task(receive_webhook_event(units, _handing_over(ctx), webhook))
    await asyncio.sleep(0.01)
    release.set()

    assert await page == 1
    assert await webhook_task
    assert stripe.made("charge_capture_before") == []
    [authorized] = units.outbox.messages(PaymentAuthorized)
    assert authorized.authorization_expires_at == deadline
    assert units.tables.events[webhook.id].processed


async def test_a_webhook_whose_read_at_stripe_is_slow_is_answered_and_processed_after(
    units: FakePaymentsUnits,
    ctx: Context,
    stripe: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await _authorization_of_a_payment(units, ctx, charge_ref="ch_4")
    answer = stripe.charge_capture_before

    async def slow(charge_ref: str) -> Any:
        await asyncio.sleep(1)
        return await answer(charge_ref)

    monkeypatch.setattr(stripe, "charge_capture_before", slow)
    monkeypatch.setattr(ctx.settings, "webhook_stripe_read_seconds", 0.01)

    assert await receive_webhook_event(units, _handing_over(ctx), event)
    assert not units.tables.events[event.id].processed
    assert units.outbox.messages(PaymentAuthorized) == []

    monkeypatch.setattr(stripe, "charge_capture_before", answer)
    assert await process_stored_events(units, ctx) == 1
    assert units.tables.events[event.id].processed
    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_a_webhook_whose_effect_fails_is_stored_alone_and_retried_after(
    units: FakePaymentsUnits, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
        await uow.publish(PaymentFailed.model_construct(), correlation_id="none")
        raise RuntimeError("the handler is broken")

    monkeypatch.setitem(stripe_event_handlers.EVENT_HANDLERS, "test.broken", broken)
    event = ProviderEvent(id="evt_broken", type="test.broken", created=NOW)

    assert await receive_webhook_event(units, _handing_over(ctx), event)
    row = units.tables.events[event.id]
    assert (row.processed, row.attempts, units.outbox.published) == (False, 0, [])

    assert await process_stored_events(units, ctx) == 1  # handed over, failing again
    row = units.tables.events[event.id]
    assert (row.processed, row.attempts, units.outbox.published) == (False, 1, [])


async def test_an_event_is_taken_applied_and_marked_processed_in_one_transaction(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    event = await _authorization_of_a_payment(units, ctx, capture_before=NOW + timedelta(days=7))
    await receive_event(units, ctx, event, source="webhook")
    commits = units.outbox.commits

    assert await process_stored_events(units, ctx) == 1

    assert units.outbox.commits == commits + 1
    assert units.tables.events[event.id].processed
    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_an_authorization_deadline_is_read_from_stripe_between_two_transactions(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    event = await _authorization_of_a_payment(units, ctx, charge_ref="ch_4")
    await receive_event(units, ctx, event, source="webhook")
    commits = units.outbox.commits

    assert await process_stored_events(units, ctx) == 1

    assert units.outbox.commits == commits + 2  # the lease, then the effect
    assert stripe.made("charge_capture_before") == [{"charge_ref": "ch_4"}]
    assert units.tables.events[event.id].processed


async def test_a_failing_event_leaves_nothing_and_is_taken_again_after_its_lease(
    units: FakePaymentsUnits,
    ctx: Context,
    clock: StoppedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handled: list[str] = []

    async def broken(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
        handled.append(event.id)
        await uow.publish(PaymentFailed.model_construct(), correlation_id="none")
        raise RuntimeError("the handler is broken")

    monkeypatch.setitem(stripe_event_handlers.EVENT_HANDLERS, "test.broken", broken)
    event = ProviderEvent(id="evt_broken", type="test.broken", created=NOW)
    await receive_event(units, ctx, event, source="webhook")

    assert await process_stored_events(units, ctx) == 1
    row = units.tables.events[event.id]
    assert (row.processed, row.attempts, units.outbox.published) == (False, 1, [])
    assert await process_stored_events(units, ctx) == 0  # not before its lease runs out

    clock.now = NOW + timedelta(seconds=ctx.settings.event_lease_seconds)
    assert await process_stored_events(units, ctx) == 1
    assert handled == [event.id, event.id]


def _handing_over(ctx: Context) -> Context:
    """As the running service wires it: a stored event goes to the processor in memory, and
    the poll has had its first look (at start)."""
    ctx.events_received = ctx.fresh_events.append
    ctx.events_polled_at = time.monotonic()
    return ctx


async def test_an_event_handed_over_is_applied_in_one_transaction_after_its_read_at_stripe(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    event = await _authorization_of_a_payment(units, ctx, charge_ref="ch_4")
    await receive_event(units, _handing_over(ctx), event, source="webhook")
    commits = units.outbox.commits

    assert await process_stored_events(units, ctx) == 1

    assert units.outbox.commits == commits + 1  # the effect alone: no lease
    assert stripe.made("charge_capture_before") == [{"charge_ref": "ch_4"}]
    row = units.tables.events[event.id]
    assert (row.processed, row.leased_until) == (True, None)
    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_an_event_handed_over_while_another_replica_holds_it_is_applied_once(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    event = await _authorization_of_a_payment(units, ctx, capture_before=NOW + timedelta(days=7))
    await receive_event(units, _handing_over(ctx), event, source="webhook")
    async with units.begin() as uow:  # another replica's poll takes it first
        assert await uow.stripe_events.claim(lease_seconds=30) is not None

    assert await process_stored_events(units, ctx) == 1
    async with units.begin() as uow:  # and that replica, done, finds it applied
        assert await uow.stripe_events.mark_processed(event.id) is False

    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_what_a_hand_over_leaves_is_polled_for_once_the_poll_is_due(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    """Events stored but not handed over (by another replica, before a crash) wait for the
    poll: a round with hand-overs looks at the database once `step_poll_seconds` have passed
    since its last look."""

    async def stored(*, handed_over: bool) -> ProviderEvent:
        event = _authorized(uuid.uuid4(), capture_before=NOW + timedelta(days=7))
        ctx.events_received = ctx.fresh_events.append if handed_over else lambda _: None
        await receive_event(units, ctx, event, source="webhook")
        return event

    await stored(handed_over=False)
    await stored(handed_over=True)
    assert await process_stored_events(units, ctx) == 2  # the hand-over, then a first look

    left = await stored(handed_over=False)
    await stored(handed_over=True)
    assert await process_stored_events(units, ctx) == 1  # the hand-over only
    assert not units.tables.events[left.id].processed

    ctx.events_polled_at -= ctx.settings.step_poll_seconds
    await stored(handed_over=True)
    assert await process_stored_events(units, ctx) == 2  # the hand-over, and the look due
    assert units.tables.events[left.id].processed


def test_the_deadlines_a_process_remembers_are_bounded_oldest_out(ctx: Context) -> None:
    for number in range(DEADLINES_REMEMBERED + 1):
        ctx.authorizations.learned(f"pi_{number}")

    assert not ctx.authorizations.known("pi_0")
    assert ctx.authorizations.known("pi_1")
    assert ctx.authorizations.known(f"pi_{DEADLINES_REMEMBERED}")
