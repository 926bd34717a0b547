"""The payment trace migration (0012) on a database holding rows from before it: a payment
takes the trace of its booking's first Stripe call, where Stripe's events were traced until
then, so an event about it is still traced into its booking."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from payments import db
from payments.db.unit import SqlPaymentsUnits
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.provider import ProviderEvent
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import alembic_config
from service_runtime.unit_of_work import UnitsOfWork

FIRST_CALL = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
LATER_CALL = "00-" + "c" * 32 + "-" + "d" * 16 + "-01"


async def test_a_payment_from_before_takes_its_booking_s_first_call_s_trace(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("payments", None)
    config = alembic_config(migrations_dir_of("payments"), url)
    command.upgrade(config, "payments_0011_outbox_handoff")
    booking_id = uuid.uuid4()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO payments (id, booking_id, booker_id, owner_id, currency, "
                "amount_minor, quoted_fee_minor, capture_strategy, session_ends_at, status, "
                "intent_ref) VALUES (gen_random_uuid(), :booking, gen_random_uuid(), "
                "gen_random_uuid(), 'USD', 10000, 1500, 'authorize_then_capture', now(), "
                "'pending', 'pi_old')"
            ),
            {"booking": booking_id},
        )
        for kind, trace in (("authorize", FIRST_CALL), ("capture", LATER_CALL)):
            connection.execute(
                text(
                    "INSERT INTO stripe_calls (booking_id, kind, idempotency_key, params, "
                    "traceparent) VALUES (:booking, :kind, :key, '{}', :trace)"
                ),
                {
                    "booking": booking_id,
                    "kind": kind,
                    "key": f"{booking_id}:{kind}",
                    "trace": trace,
                },
            )
    engine.dispose()

    command.upgrade(config, "head")

    database = Database(url)
    intent = IntentSnapshot("pi_old", PaymentStatus.AUTHORIZED)
    event = ProviderEvent("evt_old", "payment_intent.succeeded", datetime.now(UTC), intent)
    try:
        units = SqlPaymentsUnits(UnitsOfWork(database, db.outbox))
        async with units.begin() as uow:
            await uow.stripe_events.store(event, "webhook")
        async with units.begin() as uow:
            taken = await uow.stripe_events.claim(lease_seconds=60)
    finally:
        await database.dispose()
    assert taken is not None
    assert (taken.event.id, taken.traceparent) == ("evt_old", FIRST_CALL)
