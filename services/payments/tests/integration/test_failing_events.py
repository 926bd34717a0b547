"""A Stripe event whose handling keeps failing is given up on after a bound, and an operator
can send it round again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from payments import db
from payments.db.unit import SqlPaymentsUnits
from payments.provider import ProviderEvent
from payments.repositories import PaymentsUnit
from payments.service import stripe_event_handlers, stripe_events
from payments.service.context import Context
from tests.fixtures.infra import eventually

from ..conftest import PaymentsFactory

EVENT_TYPE = "test.always_fails"


async def test_event_failing_every_time_is_marked_failed_counted_and_retried_by_an_operator(
    start_payments: PaymentsFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handled: list[str] = []
    healthy = False

    async def handler(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
        handled.append(event.id)
        if not healthy:
            raise RuntimeError("the handler is broken")

    monkeypatch.setitem(stripe_event_handlers.EVENT_HANDLERS, EVENT_TYPE, handler)
    event = ProviderEvent(id="evt_always_fails", type=EVENT_TYPE, created=datetime.now(UTC))
    async with start_payments(
        event_max_attempts=3, event_lease_seconds=0.1, reconcile_interval_seconds=3600
    ) as payments:
        with caplog.at_level(logging.WARNING, logger="payments"):
            await stripe_events.receive_event(
                SqlPaymentsUnits(payments.runtime.units), payments.ctx, event, source="webhook"
            )

            async def given_up() -> bool:
                [row] = await payments.rows(db.stripe_events)
                return row.failed_at is not None

            await eventually(given_up)
        [row] = await payments.rows(db.stripe_events)
        assert (row.attempts, row.processed_at) == (3, None)
        assert "the handler is broken" in row.last_error
        assert handled == [event.id] * 3
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1
        assert event.id in errors[0].getMessage()
        metrics = (await payments.client.get("/metrics")).text
        assert f'payments_stripe_events_failed_total{{event_type="{EVENT_TYPE}"}} 1.0' in metrics

        # Never taken again on its own...
        await stripe_events.process_stored_events(
            SqlPaymentsUnits(payments.runtime.units), payments.ctx
        )
        assert len(handled) == 3

        # ...until an operator fixes the cause and retries it (services/payments/README.md).
        healthy = True
        async with payments.runtime.units.begin() as uow:
            await uow.session.execute(
                update(db.stripe_events)
                .where(db.stripe_events.c.event_id == event.id)
                .values(failed_at=None, attempts=0, leased_until=None)
            )

        async def processed() -> bool:
            [row] = await payments.rows(db.stripe_events)
            return row.processed_at is not None

        await eventually(processed)
        assert len(handled) == 4
