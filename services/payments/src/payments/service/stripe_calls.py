"""Runs the Stripe calls that commands, webhooks and the scheduler recorded, outside any
transaction: take the next call with its booking's payment (one statement), call Stripe with the
call's idempotency key, then record the result (and mark the call done) in one transaction.

A call is leased for `step_lease_seconds` when taken, so a replica that dies mid-call leaves it
to be retried; the idempotency key makes the retry return Stripe's first answer. Calls are taken
one at a time, right before they run, so what a call is about to do is decided on the payment
as it is then (a void that came meanwhile calls a capture off).

Up to `stripe_calls_at_once` calls are in flight at once, each in a task of its own, and a
round of the runner only starts them: Stripe takes a few hundred milliseconds a call, and one
at a time would cap a replica at a few captures a second, one slow call holding up the rest.
One booking's calls still go one at a time, in order: a taken call stays its booking's oldest
pending one until its result is recorded, and only a booking's oldest pending call is taken.

A call recorded with the payment it is about (`record_call(run_here_on=)`) is taken as it is
recorded, and the process that recorded it runs it once that commits, without claiming it:
a statement fewer per booking. Its lease covers a crash all the same.

This module takes the calls, gives up on them or retries them; what each kind asks Stripe and
records is in `intent_calls.py` (authorize, capture, cancel, refund) and `transfer_calls.py`
(the payout's transfer and its reversal).
"""

from __future__ import annotations

import asyncio
import logging
import time

from payments.domain.payment_states import Payment
from payments.domain.stripe_calls import (
    AuthorizeParams,
    CancelParams,
    CaptureParams,
    RefundParams,
    ReverseTransferParams,
    StripeCall,
    StripeCallKind,
    TransferParams,
)
from payments.provider import ProviderRejected, ProviderUnavailable
from payments.repositories import PaymentsUnits
from payments.service import intent_calls, transfer_calls
from payments.service.context import Context
from payments.stripe_queue_repositories import ClaimedCall
from service_runtime.tracing import continued_trace

log = logging.getLogger(__name__)


class StripeCalls:
    """Takes due calls and runs them, several at once, one booking's calls in the order they
    were recorded."""

    def __init__(self, units: PaymentsUnits, ctx: Context) -> None:
        self._units = units
        self._ctx = ctx
        self._free = asyncio.Semaphore(ctx.settings.stripe_calls_at_once)
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run_due(self, limit: int = 20) -> int:
        """Start the calls this process took as it recorded them, then due calls claimed one
        after the other, until none is due or `limit` started; how many. Each is taken once a
        place is free among the calls in flight, which run on after this returns (`settled`).
        A call recorded meanwhile wakes the runner for another round (`Context.calls_recorded`).

        After taken calls the database is looked at only if a call was recorded and not taken,
        or once per `step_poll_seconds`: what else comes due (a retry, a crash's call, another
        replica's) can wait that long, and a look that finds nothing would cost the statement
        taking them saved."""
        ctx, taken = self._ctx, 0
        while taken < limit and ctx.taken_calls:
            await self._free.acquire()
            self._start(ctx.taken_calls.popleft())
            taken += 1
        now = time.monotonic()
        if (
            taken
            and not ctx.calls_to_claim
            and now - ctx.calls_claimed_at < ctx.settings.step_poll_seconds
        ):
            return taken
        ctx.calls_to_claim, ctx.calls_claimed_at = False, now
        more_due = True
        while more_due and taken < limit:
            await self._free.acquire()
            try:
                # The claim is one statement, atomic by itself: no transaction around it.
                async with self._units.one_statement() as uow:
                    claimed = await uow.stripe_calls.claim(
                        lease_seconds=ctx.settings.step_lease_seconds
                    )
            except BaseException:
                self._free.release()
                raise
            if claimed is None:
                self._free.release()
                break
            taken, more_due = taken + 1, claimed.more_due
            self._start(claimed)
        return taken

    async def settled(self) -> None:
        """Wait until every call started has finished."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def stop(self) -> None:
        """Cancel the calls in flight: each stays leased, and is made again once its lease runs
        out with the same idempotency key, so Stripe answers what it did the first time."""
        for task in self._in_flight:
            task.cancel()
        await self.settled()

    def _start(self, claimed: ClaimedCall) -> None:
        """Run a call in the place acquired for it, and free the place once it has finished."""
        task = asyncio.create_task(self._run_claimed(claimed))
        self._in_flight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._free.release()
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("a stripe call's outcome was not recorded; retried later", exc_info=error)

    async def _run_claimed(self, claimed: ClaimedCall) -> None:
        with continued_trace(claimed.call.traceparent):
            await self._run(claimed.call, claimed.payment)

    async def _run(self, call: StripeCall, payment: Payment | None) -> None:
        settings = self._ctx.settings
        try:
            await self._make(call, payment)
        except Exception as error:
            # Only the authorization is given up on (booking must hear it failed); a call that
            # moves money must happen, so it keeps being retried at the longest delay.
            authorize = call.kind is StripeCallKind.AUTHORIZE
            last = authorize and call.attempts >= settings.step_max_attempts
            if not isinstance(error, ProviderUnavailable | ProviderRejected):
                log.exception("stripe call %s (%s) crashed", call.idempotency_key, call.kind)
            else:
                log.warning("stripe call %s failed: %s", call.idempotency_key, error)
            async with self._units.begin() as uow:
                if last:
                    log.error("stripe call %s given up", call.idempotency_key)
                    await uow.stripe_calls.finish(call.id, status="failed")
                    await intent_calls.authorization_impossible(uow, self._ctx, call)
                else:
                    if call.attempts >= settings.step_max_attempts:
                        log.error("stripe call %s still failing", call.idempotency_key)
                    delay = min(settings.step_poll_seconds * 2 ** min(call.attempts, 16), 300.0)
                    await uow.stripe_calls.retry_later(
                        call.id, delay_seconds=delay, error=repr(error)
                    )

    async def _make(self, call: StripeCall, payment: Payment | None) -> None:
        """`payment` is the booking's as the call was taken: whether there is anything to ask
        Stripe is decided on it; what Stripe answered is applied to the payment read again."""
        units, ctx = self._units, self._ctx
        match call.params:
            case AuthorizeParams():
                await intent_calls.authorize(units, ctx, call, call.params, payment)
            case CaptureParams():
                await intent_calls.change_intent(units, ctx, call, call.params, payment)
            case CancelParams():
                await intent_calls.change_intent(units, ctx, call, call.params, payment)
            case RefundParams():
                await intent_calls.refund(units, ctx, call, call.params, payment)
            case TransferParams():
                await transfer_calls.transfer_payout(units, ctx, call)
            case ReverseTransferParams():
                await transfer_calls.reverse_transfer(units, ctx, call, call.params)
