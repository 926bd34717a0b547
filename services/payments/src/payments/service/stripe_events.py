"""Stripe's events, from webhooks or re-listed by reconciliation, each applied exactly once.

An event is stored by its id (INSERT ... ON CONFLICT DO NOTHING), so a repeated delivery adds
nothing, and marked processed in the transaction of its effect. Every effect goes through the
monotonic rules of the domain, so events in any order end in the same state.

A webhook's event is applied in the transaction that stores it. Any other (reconciliation's, or
a webhook's whose Stripe read or effect failed) is stored alone and processed after that commit:
the process that stored it hands it to its processor in memory, which applies it without
claiming it first; the poll takes what that leaves (a failure, a crash, another replica's
events) under a lease. Whichever way, the mark in the effect's transaction keeps it to once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import replace

from payments.domain.payment_states import PaymentStatus
from payments.provider import ProviderEvent, ProviderUnavailable
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.context import Context
from payments.service.stripe_event_handlers import apply_event
from payments.stripe_queue_repositories import ClaimedEvent, MarkedEvent
from service_runtime.tracing import span_in_trace

log = logging.getLogger(__name__)


async def receive_webhook_event(units: PaymentsUnits, ctx: Context, event: ProviderEvent) -> bool:
    """Store a webhook's event and apply it in one transaction; False when it was stored before.

    An authorization's deadline is read at Stripe first, with no transaction open, for at most
    `webhook_stripe_read_seconds`: Stripe waits for the answer. Should that read take longer, or
    the effect fail, the event is stored alone to be processed after, as `receive_event`."""
    try:
        read_within = ctx.settings.webhook_stripe_read_seconds
        async with (
            _with_authorization_deadline(ctx, event, read_within=read_within) as complete,
            units.begin() as uow,
        ):
            marked = await uow.stripe_events.store_processed_in_trace(complete, "webhook")
            if marked is None:
                return False
            await _apply_in_trace(uow, ctx, complete, marked)
        return True
    except Exception:
        log.warning(
            "Stripe event %s (%s) not applied as it came, processed after",
            event.id,
            event.type,
            exc_info=True,
        )
    return await receive_event(units, ctx, event, source="webhook")


async def receive_event(
    units: PaymentsUnits, ctx: Context, event: ProviderEvent, *, source: str
) -> bool:
    """Store an event to be processed once this commits; False when it was stored before."""
    async with units.one_statement() as uow:  # the insert is all of it
        stored = await uow.stripe_events.store(event, source)
        if stored:
            uow.after_commit(lambda: ctx.events_received(event))
    return stored


async def process_stored_events(units: PaymentsUnits, ctx: Context, limit: int = 20) -> int:
    """Process the events this process has just stored, as they were handed over; then those
    stored and not processed yet, oldest first, one after the other, until none waits or
    `limit` were taken. How many were taken.

    After a hand-over the database is looked at only once per `step_poll_seconds`: what a
    hand-over leaves (a failure, a crash, another replica's events) can wait that long, and a
    look that finds nothing would cost the transaction the hand-over saved."""
    taken = 0
    while taken < limit and ctx.fresh_events:
        await _process_fresh(units, ctx, ctx.fresh_events.popleft())
        taken += 1
    now = time.monotonic()
    if taken and now - ctx.events_polled_at < ctx.settings.step_poll_seconds:
        return taken
    ctx.events_polled_at = now
    while taken < limit and (claimed := await _process_next(units, ctx)) is not None:
        taken += 1
        if not claimed.more_due:
            break
    return taken


async def _process_fresh(units: PaymentsUnits, ctx: Context, event: ProviderEvent) -> None:
    """An event just stored, applied as it was handed over: neither claimed nor leased, which
    saves a transaction (or a statement) per event. Should the poll of another replica take it
    meanwhile, the mark in the effect's transaction lets only one of them apply it."""
    try:
        async with _with_authorization_deadline(ctx, event) as complete, units.begin() as uow:
            await _mark_and_apply(uow, ctx, complete)
    except Exception as error:
        await _failed(units, ctx, event, error)


async def _mark_and_apply(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    """Mark the event processed and apply it, in its booking's trace; nothing when another
    processor marked it first."""
    marked = await uow.stripe_events.mark_processed_in_trace(event.id)
    if marked is not None:
        await _apply_in_trace(uow, ctx, event, marked)


async def _apply_in_trace(
    uow: PaymentsUnit, ctx: Context, event: ProviderEvent, marked: MarkedEvent
) -> None:
    """Apply an event just marked processed, in its booking's trace."""
    with span_in_trace(ctx.tracer_provider, f"stripe {event.type}", marked.traceparent):
        await apply_event(uow, ctx, event)


async def _process_next(units: PaymentsUnits, ctx: Context) -> ClaimedEvent | None:
    """Take the oldest waiting event and process it; None when none waits.

    Most events are taken, applied and marked processed in one transaction: a crash or a
    failure rolls all of it back and leaves the event waiting. An event that needs Stripe read
    first (an authorization's deadline) is leased by its own transaction, so that none is open
    while Stripe answers, and applied in a second one."""
    claimed: ClaimedEvent | None = None
    try:
        async with units.begin() as uow:
            claimed = await uow.stripe_events.claim(lease_seconds=ctx.settings.event_lease_seconds)
            if claimed is None:
                return None
            if not _lacks_authorization_deadline(claimed.event):
                with _traced(ctx, claimed):
                    await _apply_once(uow, ctx, claimed.event)
                return claimed
        with _traced(ctx, claimed):
            async with (
                _with_authorization_deadline(ctx, claimed.event) as complete,
                units.begin() as uow,
            ):
                await _apply_once(uow, ctx, complete)
    except Exception as error:
        if claimed is None:
            raise
        await _failed(units, ctx, claimed.event, error)
    return claimed


def _traced(ctx: Context, claimed: ClaimedEvent) -> AbstractContextManager[None]:
    """The event's work as a span of its booking's trace."""
    return span_in_trace(ctx.tracer_provider, f"stripe {claimed.event.type}", claimed.traceparent)


async def _apply_once(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    # Marked in the transaction of its effect: another processor whose lease ran out may
    # have got there first.
    if await uow.stripe_events.mark_processed(event.id):
        await apply_event(uow, ctx, event)


async def _failed(
    units: PaymentsUnits, ctx: Context, event: ProviderEvent, error: Exception
) -> None:
    """Left unprocessed, the event is taken again once its lease runs out, after the others;
    after `event_max_attempts` failures it is marked failed and waits for an operator."""
    async with units.begin() as uow:
        given_up = await uow.stripe_events.record_failure(
            event.id,
            repr(error),
            max_attempts=ctx.settings.event_max_attempts,
            retry_in_seconds=ctx.settings.event_lease_seconds,
        )
    if given_up:
        log.error(
            "Stripe event %s (%s) failed %d times, given up until an operator retries it",
            event.id,
            event.type,
            ctx.settings.event_max_attempts,
            exc_info=error,
        )
        ctx.event_failed(event.type)
    else:
        log.warning(
            "Stripe event %s (%s) failed, retried later", event.id, event.type, exc_info=error
        )


def _lacks_authorization_deadline(event: ProviderEvent) -> bool:
    """An authorization whose deadline is on its charge, which the event names only by id."""
    intent = event.intent
    return (
        intent is not None
        and intent.status is PaymentStatus.AUTHORIZED
        and intent.capture_before is None
        and intent.charge_ref is not None
    )


@asynccontextmanager
async def _with_authorization_deadline(
    ctx: Context, event: ProviderEvent, *, read_within: float | None = None
) -> AsyncIterator[ProviderEvent]:
    """The event with its authorization's deadline, read from the charge at Stripe (within
    `read_within` seconds) if it lacks it, for the block to apply with no transaction open
    during the read. While the block runs, the read is announced (`ctx.authorizations`): the
    booker's page then reads nothing at Stripe, as this block applies the authorization.

    Nothing is read when this process saw the payment learn its deadline (the page had the
    payment read first, `card_checks`): the event then changes nothing. A read under way here
    (the page's, or a redelivery's) is taken when it finds one. Another replica, which saw
    neither, reads it."""
    intent = event.intent
    if (
        intent is None
        or intent.charge_ref is None
        or not _lacks_authorization_deadline(event)
        or ctx.authorizations.known(intent.intent_ref)
    ):
        yield event
        return
    under_way = ctx.authorizations.in_flight(intent.intent_ref)
    with ctx.authorizations.reading(intent.intent_ref) as read:
        async with asyncio.timeout(read_within):
            # That read goes on should this one's time run out.
            capture_before = await asyncio.shield(under_way) if under_way is not None else None
            if capture_before is None:
                try:
                    capture_before = await ctx.gateway.charge_capture_before(intent.charge_ref)
                except ProviderUnavailable:
                    log.warning("capture_before of %s unknown for now", intent.charge_ref)
        read.set_result(capture_before)
        yield replace(event, intent=replace(intent, capture_before=capture_before))
