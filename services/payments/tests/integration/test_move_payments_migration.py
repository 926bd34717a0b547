"""The move payments migration (0009) on a database holding rows from before it: the booking's
one payment becomes its first, and each refund made from it becomes that refund's one part."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from payments import db
from payments.db.unit import SqlPaymentsUnits
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import alembic_config
from service_runtime.unit_of_work import UnitsOfWork


async def test_a_payment_and_its_refund_from_before_moves_stay_readable(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("payments", None)
    config = alembic_config(migrations_dir_of("payments"), url)
    command.upgrade(config, "payments_0008_refund_note")
    payment_id, booking_id, refund_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO payments (id, booking_id, booker_id, owner_id, currency, "
                "amount_minor, quoted_fee_minor, capture_strategy, session_ends_at, status, "
                "intent_ref, captured_minor, fee_minor, captured_at, refunded_minor) "
                "VALUES (:id, :booking, gen_random_uuid(), gen_random_uuid(), 'USD', 10000, "
                "1500, 'authorize_then_capture', now(), 'captured', 'pi_old', 10000, 1500, "
                "now(), 3000)"
            ),
            {"id": payment_id, "booking": booking_id},
        )
        connection.execute(
            text(
                "INSERT INTO refunds (refund_id, booking_id, requested_minor, amount_minor, "
                "reason, status, currency, refund_ref, refunded_at) "
                "VALUES (:id, :booking, 3000, 3000, 'cancelled_by_booker', 'succeeded', 'USD', "
                "'re_old', now())"
            ),
            {"id": refund_id, "booking": booking_id},
        )
    engine.dispose()

    command.upgrade(config, "head")

    database = Database(url)
    try:
        async with SqlPaymentsUnits(UnitsOfWork(database, db.outbox)).begin() as uow:
            payment = await uow.payments.for_booking(booking_id)
            every = await uow.payments.of_booking(booking_id)
            refund = await uow.refunds.get(refund_id)
            parts = await uow.refunds.parts(refund_id)
            refunded = await uow.refunds.succeeded_minor(booking_id, payment_id)
    finally:
        await database.dispose()
    assert payment is not None
    assert (payment.id, payment.move_id, payment.status.value) == (payment_id, None, "captured")
    assert (payment.captured_minor, payment.refunded_minor) == (10_000, 3_000)
    assert every == [payment]
    assert refund is not None
    assert (refund.amount_minor, refund.status, refund.note) == (3_000, "succeeded", None)
    assert [(p.payment_id, p.amount_minor, p.status) for p in parts] == [
        (payment_id, 3_000, "succeeded")
    ]
    assert refunded == 3_000
