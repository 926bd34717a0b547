"""Composition root: payments' app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import Counter

from payments import db
from payments.api import admin, booker, owner, webhooks
from payments.config import PaymentsSettings
from payments.db.unit import SqlPaymentsUnits
from payments.domain.money import RefundTooLarge
from payments.handlers import message_handlers
from payments.provider import ProviderEvent, ProviderRejected, ProviderUnavailable
from payments.service.card_checks import NoPaymentOfYours
from payments.service.context import Context
from payments.service.payouts import schedule_due_payouts
from payments.service.reconciliation import reconcile
from payments.service.refunds import UnknownPayment
from payments.service.stripe_calls import StripeCalls
from payments.service.stripe_events import process_stored_events
from payments.stripe_gateway import StripeGateway
from service_runtime.background import BackgroundTask
from service_runtime.periodic import Periodic, until_drained
from service_runtime.service_app import ServiceParts, ServiceRuntime, create_service_app

ERRORS: dict[type[Exception], int] = {
    ProviderRejected: 502,
    ProviderUnavailable: 503,
    RefundTooLarge: 409,
    UnknownPayment: 404,
    NoPaymentOfYours: 404,
}
CALLS_BATCH = 20
EVENTS_BATCH = 20


def create_app(
    settings: PaymentsSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    settings = settings or PaymentsSettings()
    gateway = StripeGateway(settings)
    ctx = Context(settings, gateway)

    def workers(runtime: ServiceRuntime) -> list[BackgroundTask]:
        gateway.trace_with(runtime.tracer_provider)
        ctx.tracer_provider = runtime.tracer_provider
        payments_units = SqlPaymentsUnits(runtime.units)
        calls = StripeCalls(payments_units, ctx)

        async def run_reconciliation() -> int:
            await reconcile(runtime.database, payments_units, ctx)
            return 0

        calls_worker = Periodic(
            "payments-stripe-calls",
            until_drained(lambda: calls.run_due(CALLS_BATCH), CALLS_BATCH),
            interval_seconds=settings.step_poll_seconds,
            registry=runtime.registry,
            on_stop=calls.stop,
        )
        events_worker = Periodic(
            "payments-stripe-events",
            until_drained(
                lambda: process_stored_events(payments_units, ctx, EVENTS_BATCH), EVENTS_BATCH
            ),
            interval_seconds=settings.step_poll_seconds,
            registry=runtime.registry,
        )
        payouts_worker = Periodic(
            "payments-payouts",
            lambda: schedule_due_payouts(payments_units, ctx),
            interval_seconds=settings.payout_interval_seconds,
            registry=runtime.registry,
        )
        reconcile_worker = Periodic(
            "payments-reconciliation",
            run_reconciliation,
            interval_seconds=settings.reconcile_interval_seconds,
            registry=runtime.registry,
        )
        ctx.calls_recorded = calls_worker.wake

        def event_received(event: ProviderEvent) -> None:
            ctx.fresh_events.append(event)
            events_worker.wake()

        ctx.events_received = event_received
        ctx.payouts_scheduled = payouts_worker.wake
        failed_events = Counter(
            "payments_stripe_events_failed_total",
            "Stripe events given up on after PAYMENTS_EVENT_MAX_ATTEMPTS failed handlings",
            ["event_type"],
            registry=runtime.registry,
        )
        ctx.event_failed = lambda event_type: failed_events.labels(event_type).inc()
        return [calls_worker, events_worker, payouts_worker, reconcile_worker]

    async def close_gateway(_: ServiceRuntime) -> None:
        await gateway.close()

    parts = ServiceParts(
        title="OneTime payments",
        outbox=db.outbox,
        inbox=db.inbox,
        # Stripe retries a webhook for three days: an event id is remembered far longer (a week).
        aged_by=(db.stripe_events.c.processed_at,),
        user_access=db.user_access,
        routers=[webhooks.router, booker.router, owner.router, admin.router],
        handlers=message_handlers(ctx),
        errors=ERRORS,
        background=workers,
        on_stop=close_gateway,
    )
    app = create_service_app(settings, parts, tracer_provider=tracer_provider)
    app.state.payments = ctx
    return app
