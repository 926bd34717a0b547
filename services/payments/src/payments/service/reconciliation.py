"""Reconciliation: what webhooks missed is read back from Stripe, so no booking stays stuck.

Two sweeps, one replica at a time (a PostgreSQL advisory lock, held on a connection with no
transaction open, so the Stripe calls run outside any transaction):
- payments that waited longer than `webhook_grace_seconds` are re-read and applied like a webhook;
- the events Stripe lists as not delivered by webhook since the last sweep (with an overlap),
  of the types payments handles, are stored like webhooks' events (those already stored are
  skipped by id) and processed by the same processor.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from payments.repositories import IntentToRead, PaymentsUnits
from payments.service.context import Context
from payments.service.payment_outcomes import apply_snapshot
from payments.service.stripe_event_handlers import EVENT_HANDLERS
from payments.service.stripe_events import receive_event
from service_runtime.db import Database
from service_runtime.tracing import span_in_trace

log = logging.getLogger(__name__)

# Any constant works; it names "the payments reconciler" among advisory locks in this database.
RECONCILER_LOCK = 0x7061796D
EVENTS_CURSOR = "stripe_events"


async def reconcile(database: Database, units: PaymentsUnits, ctx: Context) -> bool:
    """One reconciliation pass; False when another replica is doing it right now."""
    async with database.exclusive(RECONCILER_LOCK) as mine:
        if not mine:
            return False
        await reread_waiting_payments(units, ctx)
        await replay_missed_events(units, ctx)
    return True


async def reread_waiting_payments(units: PaymentsUnits, ctx: Context) -> int:
    grace = timedelta(seconds=ctx.settings.webhook_grace_seconds)
    async with units.begin() as uow:
        waiting = await uow.payments.waiting(older_than=uow.now - grace)
    for intent in waiting:
        await reread_intent(units, ctx, intent)
    return len(waiting)


async def reread_intent(units: PaymentsUnits, ctx: Context, intent: IntentToRead) -> bool:
    """Read a PaymentIntent at Stripe (no transaction open meanwhile) and apply it as a webhook
    would, in its booking's trace: the payment's row lock and its monotonic moves make a race
    with the webhook harmless. False, nothing read, when a webhook of this process is reading
    its authorization right now: that webhook applies it."""
    if ctx.authorizations.in_flight(intent.intent_ref) is not None:
        return False
    with (
        span_in_trace(ctx.tracer_provider, "stripe payment re-read", intent.traceparent),
        ctx.authorizations.reading(intent.intent_ref) as read,
    ):
        snapshot = await ctx.gateway.retrieve_intent(intent.intent_ref)
        read.set_result(snapshot.capture_before)
        async with units.begin() as uow:
            payment = await uow.payments.for_intent(intent.intent_ref)
            if payment is None:
                return True
            payment = await apply_snapshot(uow, ctx, payment, snapshot)
            if payment.authorization_expires_at is not None:
                uow.after_commit(partial(ctx.authorizations.learned, intent.intent_ref))
    return True


async def replay_missed_events(units: PaymentsUnits, ctx: Context) -> int:
    lookback = ctx.settings.reconcile_lookback_seconds
    async with units.begin() as uow:
        position = await uow.stripe_events.cursor(EVENTS_CURSOR)
        now = uow.now
    since = (position if position is not None else int(now.timestamp())) - lookback
    # Only what no webhook delivered: a delivered event was stored before its webhook was
    # answered. Listing them all read each event eleven times over (the overlap), and parsed
    # it, for nothing.
    events = await ctx.gateway.undelivered_events_since(max(since, 0), EVENT_HANDLERS.keys())
    # The overlap lists each event again at every pass (ten times, with the defaults): one
    # look says which are stored, rather than a statement and a commit for each.
    stored: set[str] = set()
    if events:
        async with units.one_statement() as uow:
            stored = await uow.stripe_events.stored_among([event.id for event in events])
    missed = 0
    for event in events:
        if event.id not in stored and await receive_event(
            units, ctx, event, source="reconciliation"
        ):
            missed += 1
    if events:
        async with units.begin() as uow:
            newest = int(max(event.created for event in events).timestamp())
            await uow.stripe_events.move_cursor(EVENTS_CURSOR, newest)
    if missed:
        log.warning("reconciliation found %d event(s) that no webhook delivered", missed)
    return missed
