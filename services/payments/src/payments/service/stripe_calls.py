"""Runs the Stripe calls that commands, webhooks and the scheduler recorded, outside any
transaction: take the next call with its booking's payment (one statement), call Stripe with the
call's idempotency key, then record the result (and mark the call done) in one transaction.

A call is leased for `step_lease_seconds` when taken, so a replica that dies mid-call leaves it
to be retried; the idempotency key makes the retry return Stripe's first answer. Calls are taken
one at a time, right before they run, so what a call is about to do is decided on the payment
as it is then (a void that came meanwhile calls a capture off).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from contracts.payments import PaymentFailureReason
from payments.domain import payouts as payout_rules
from payments.domain.payment_returns import refund_went_through, refunds_total
from payments.domain.payment_states import Payment, PaymentStatus
from payments.domain.payments import creation_failed, intent_created, needs_cancel
from payments.domain.payouts import PayoutStatus
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
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.context import Context, publish_all
from payments.service.payment_outcomes import apply_snapshot, record_cancel, save_outcome
from service_runtime.tracing import continued_trace

log = logging.getLogger(__name__)


class StripeCalls:
    """Takes due calls and runs them, one booking's calls in the order they were recorded."""

    def __init__(self, units: PaymentsUnits, ctx: Context) -> None:
        self._units = units
        self._ctx = ctx

    async def run_due(self, limit: int = 20) -> int:
        """Run due calls, one after the other, until none is due or `limit` ran; how many.
        A call recorded meanwhile wakes the runner for another round (`Context.calls_recorded`)."""
        taken, more_due = 0, True
        while more_due and taken < limit:
            async with self._units.begin() as uow:
                claimed = await uow.stripe_calls.claim(
                    lease_seconds=self._ctx.settings.step_lease_seconds
                )
            if claimed is None:
                break
            taken, more_due = taken + 1, claimed.more_due
            with continued_trace(claimed.call.traceparent):
                await self._run(claimed.call, claimed.payment)
        return taken

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
                    await self._authorization_impossible(uow, call)
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
        match call.params:
            case AuthorizeParams():
                await self._authorize(call, call.params, payment)
            case CaptureParams():
                await self._change_intent(call, call.params, payment)
            case CancelParams():
                await self._change_intent(call, call.params, payment)
            case RefundParams():
                await self._refund(call, call.params, payment)
            case TransferParams():
                await self._transfer(call, payment)
            case ReverseTransferParams():
                await self._reverse_transfer(call, call.params)

    async def _authorize(
        self, call: StripeCall, params: AuthorizeParams, payment: Payment | None
    ) -> None:
        if payment is None or payment.status is not PaymentStatus.PENDING or payment.intent_ref:
            await self._done(call)
            return
        try:
            snapshot = await self._ctx.gateway.create_intent(
                booking_id=payment.booking_id,
                move_id=payment.move_id,
                amount_minor=payment.amount_minor,
                currency=payment.currency,
                description=params.description or "",
                idempotency_key=call.idempotency_key,
            )
        except ProviderRejected:
            async with self._units.begin() as uow:
                payment = await uow.payments.get(payment.id)
                assert payment is not None
                outcome = creation_failed(payment, PaymentFailureReason.INVALID_REQUEST, uow.now)
                await save_outcome(uow, self._ctx, payment, outcome)
                await uow.stripe_calls.finish(call.id, status="failed")
            return
        async with self._units.begin() as uow:
            payment = await uow.payments.get(payment.id)
            assert payment is not None
            outcome = intent_created(payment, snapshot)
            await save_outcome(uow, self._ctx, payment, outcome)
            if needs_cancel(outcome.payment):
                # Voided while Stripe was creating it: cancel it before anyone can pay.
                await record_cancel(uow, self._ctx, outcome.payment)
            await uow.stripe_calls.finish(call.id)

    async def _authorization_impossible(self, uow: PaymentsUnit, call: StripeCall) -> None:
        """Stripe stayed out of reach: booking must not wait for a payment that never comes."""
        payment = await _payment_of(uow, call)
        if payment is not None:
            outcome = creation_failed(payment, PaymentFailureReason.PROCESSING_ERROR, uow.now)
            await save_outcome(uow, self._ctx, payment, outcome)

    async def _change_intent(
        self, call: StripeCall, params: CaptureParams | CancelParams, payment: Payment | None
    ) -> None:
        movable = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
        if payment is None or payment.intent_ref is None or payment.status not in movable:
            await self._done(call)
            return
        capture = isinstance(params, CaptureParams)
        if capture and payment.void_reason is not None:
            # The void came before this capture went through: the cancel queued behind it
            # releases the money instead (and if an earlier attempt did capture, the cancel
            # learns so from Stripe and refunds it).
            log.info("capture of booking %s called off by its void", payment.booking_id)
            await self._done(call)
            return
        gateway = self._ctx.gateway
        try:
            if isinstance(params, CaptureParams):
                snapshot = await gateway.capture(
                    payment.intent_ref,
                    amount_minor=params.amount_minor,
                    idempotency_key=call.idempotency_key,
                )
            else:
                snapshot = await gateway.cancel(
                    payment.intent_ref, idempotency_key=call.idempotency_key
                )
        except ProviderRejected as error:
            # Usually the intent moved on (captured, canceled, lapsed): learn where it is.
            log.info(
                "%s of %s refused (%s); re-reading it", call.kind, payment.intent_ref, error.code
            )
            snapshot = await gateway.retrieve_intent(payment.intent_ref)
        async with self._units.begin() as uow:
            payment = await uow.payments.get(payment.id)
            assert payment is not None
            await apply_snapshot(uow, self._ctx, payment, snapshot)
            await uow.stripe_calls.finish(call.id)

    async def _refund(
        self, call: StripeCall, params: RefundParams, payment: Payment | None
    ) -> None:
        """One part of a refund: its own Stripe refund of the part's payment."""
        refund_id = params.refund_id
        part = None
        if payment is not None:
            async with self._units.begin() as uow:
                part = await uow.refunds.part(refund_id, payment.id)
        if (
            payment is None
            or payment.intent_ref is None
            or part is None
            or part.status != "pending"
        ):
            await self._done(call)
            return
        try:
            result = await self._ctx.gateway.refund(
                payment.intent_ref,
                amount_minor=part.amount_minor,
                refund_id=refund_id,
                idempotency_key=call.idempotency_key,
            )
        except ProviderRejected as error:
            log.warning("refund %s of %s refused by Stripe: %s", refund_id, payment.id, error)
            async with self._units.begin() as uow:
                await uow.refunds.finish_part(refund_id, payment.id, "rejected", None)
                await _finish_refund(uow, refund_id)
                await uow.stripe_calls.finish(call.id, status="failed")
            return
        async with self._units.begin() as uow:
            await self._refunded(uow, payment.id, refund_id, result.refund_ref, result.amount_minor)
            await uow.stripe_calls.finish(call.id)

    async def _refunded(
        self,
        uow: PaymentsUnit,
        payment_id: uuid.UUID,
        refund_id: uuid.UUID,
        refund_ref: str,
        amount_minor: int,
    ) -> None:
        """Record a part that went through, once, and tell booking what came back."""
        payment = await uow.payments.get(payment_id)
        part = await uow.refunds.part(refund_id, payment_id)
        row = await uow.refunds.get(refund_id)
        assert payment is not None
        assert part is not None
        assert row is not None
        if part.status != "pending":
            return
        await uow.refunds.finish_part(refund_id, payment_id, "succeeded", refund_ref)
        await _finish_refund(uow, refund_id)
        of_payment = await uow.refunds.succeeded_minor(payment.booking_id, payment.id)
        payment = refunds_total(payment, of_payment)
        await uow.payments.save(payment)
        outcome = refund_went_through(
            payment,
            refund_id,
            amount_minor,
            row.reason,
            uow.now,
            booking_refunded_minor=await uow.refunds.succeeded_minor(payment.booking_id),
        )
        await publish_all(uow, outcome.messages, payment.booking_id)

    async def _transfer(self, call: StripeCall, payment: Payment | None) -> None:
        async with self._units.begin() as uow:
            payout = await uow.payouts.for_booking(call.booking_id)
            disputed = await uow.disputes.open_count(call.booking_id)
            account = (
                await uow.owner_accounts.of_owner(payout.owner_id) if payout is not None else None
            )
            payments = await uow.payments.of_booking(call.booking_id, lock=False)
            if payout is not None and payout.status is PayoutStatus.TRANSFERRING and disputed:
                # A dispute opened since it was scheduled: wait for its outcome.
                await uow.payouts.save(
                    replace(payout, status=PayoutStatus.SCHEDULED),
                    hold=payout_rules.Hold.DISPUTED.value,
                )
                await uow.stripe_calls.finish(call.id, status="cancelled")
                return
        if (
            payout is None
            or payout.status is not PayoutStatus.TRANSFERRING
            or not payments
            or account is None
            or payout.currency is None
        ):
            await self._done(call)
            return
        transfer = await self._ctx.gateway.transfer(
            booking_id=payout.booking_id,
            amount_minor=payout.amount_minor,
            currency=payout.currency,
            destination=account.account_ref,
            source_charge=payout_rules.source_charge(payments, payout.amount_minor),
            idempotency_key=call.idempotency_key,
        )
        async with self._units.begin() as uow:
            payout = await uow.payouts.for_booking(call.booking_id)
            assert payout is not None
            paid, messages = payout_rules.transferred(
                payout, transfer.transfer_ref, transfer.amount_minor, transfer.currency, uow.now
            )
            if paid != payout:
                await uow.payouts.save(paid)
            await publish_all(uow, messages, payout.booking_id)
            await uow.stripe_calls.finish(call.id)

    async def _reverse_transfer(self, call: StripeCall, params: ReverseTransferParams) -> None:
        async with self._units.begin() as uow:
            payout = await uow.payouts.for_booking(call.booking_id)
        if payout is None or payout.transfer_ref is None or payout.status is not PayoutStatus.PAID:
            await self._done(call)
            return
        transfer = await self._ctx.gateway.reverse_transfer(
            payout.transfer_ref,
            amount_minor=params.amount_minor,
            idempotency_key=call.idempotency_key,
        )
        async with self._units.begin() as uow:
            payout = await uow.payouts.for_booking(call.booking_id)
            assert payout is not None
            updated, messages = payout_rules.reversed_(
                payout, transfer.amount_reversed_minor, params.reason, uow.now
            )
            if updated != payout:
                await uow.payouts.save(updated)
            await publish_all(uow, messages, payout.booking_id)
            await uow.stripe_calls.finish(call.id)

    async def _done(self, call: StripeCall) -> None:
        async with self._units.begin() as uow:
            await uow.stripe_calls.finish(call.id)


async def _payment_of(uow: PaymentsUnit, call: StripeCall) -> Payment | None:
    """The payment a call is about, locked: the one it names, or the booking's first."""
    payment_id = getattr(call.params, "payment_id", None)
    if payment_id is not None:
        return await uow.payments.get(payment_id)
    return await uow.payments.for_booking(call.booking_id)


async def _finish_refund(uow: PaymentsUnit, refund_id: uuid.UUID) -> None:
    """A refund is over once none of its parts is pending: succeeded if one went through."""
    statuses = {part.status for part in await uow.refunds.parts(refund_id)}
    if "pending" not in statuses:
        await uow.refunds.finish(refund_id, "succeeded" if "succeeded" in statuses else "rejected")
