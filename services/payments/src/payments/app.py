"""Composition root: payments' app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from payments import db
from payments.api import owner, webhooks
from payments.calls import StripeCalls
from payments.config import PaymentsSettings
from payments.events import process_stored_events
from payments.handlers import message_handlers
from payments.provider import ProviderRejected, ProviderUnavailable
from payments.reconciler import reconcile
from payments.scheduler import schedule_due_payouts
from payments.service import Context
from payments.stripe_gateway import StripeGateway
from payments.workers import Loop
from service_runtime.service_app import ServiceParts, ServiceRuntime, create_service_app

ERRORS: dict[type[Exception], int] = {
    ProviderRejected: 502,
    ProviderUnavailable: 503,
}
CALLS_BATCH = 20
EVENTS_BATCH = 20


def create_app(
    settings: PaymentsSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    settings = settings or PaymentsSettings()
    gateway = StripeGateway(settings)
    ctx = Context(settings, gateway)
    loops: list[Loop] = []

    async def start_background(runtime: ServiceRuntime) -> None:
        gateway.trace_with(runtime.tracer_provider)
        ctx.tracer_provider = runtime.tracer_provider
        calls = StripeCalls(runtime.units, ctx)

        async def run_calls() -> bool:
            return await calls.run_due() >= CALLS_BATCH

        async def run_events() -> bool:
            return await process_stored_events(runtime.units, ctx) >= EVENTS_BATCH

        async def run_reconciliation() -> bool:
            await reconcile(runtime.database, runtime.units, ctx)
            return False

        async def run_payouts() -> bool:
            await schedule_due_payouts(runtime.units, ctx)
            return False

        calls_loop = Loop("payments-stripe-calls", run_calls, settings.step_poll_seconds)
        events_loop = Loop("payments-stripe-events", run_events, settings.step_poll_seconds)
        payouts_loop = Loop("payments-payouts", run_payouts, settings.payout_interval_seconds)
        reconcile_loop = Loop(
            "payments-reconciliation", run_reconciliation, settings.reconcile_interval_seconds
        )
        ctx.calls_recorded = calls_loop.wake
        ctx.payouts_scheduled = payouts_loop.wake
        ctx.events_received = events_loop.wake
        loops[:] = [calls_loop, events_loop, payouts_loop, reconcile_loop]
        for loop in loops:
            loop.start()

    async def stop_background(_: ServiceRuntime) -> None:
        for loop in loops:
            await loop.stop()
        await gateway.close()

    parts = ServiceParts(
        title="OneTime payments",
        outbox=db.outbox,
        inbox=db.inbox,
        user_access=db.user_access,
        routers=[webhooks.router, owner.router],
        handlers=message_handlers(ctx),
        errors=ERRORS,
        on_start=start_background,
        on_stop=stop_background,
    )
    app = create_service_app(settings, parts, tracer_provider=tracer_provider)
    app.state.payments = ctx
    return app
