"""Refunds on in-memory units: once per refund id, capped at what was captured, waiting for a
capture still in flight; an admin's refund refused beyond what is left."""

from __future__ import annotations

import uuid

import pytest

from contracts.payments import PaymentAuthorized
from payments.domain.money import RefundTooLarge
from payments.domain.payment_states import PaymentStatus
from payments.domain.stripe_calls import RefundParams
from payments.service.context import Context
from payments.service.refunds import UnknownPayment, admin_refund

from .fakes import FakePaymentsUnits
from .service_world import authorize_command, captured, refund_command, send, stripe_says


def refund_calls(units: FakePaymentsUnits) -> list[tuple[RefundParams, str]]:
    return [
        (c.params, c.idempotency_key)
        for c in units.tables.calls
        if isinstance(c.params, RefundParams)
    ]


async def test_a_refund_queues_its_stripe_refund(units: FakePaymentsUnits, ctx: Context) -> None:
    command = authorize_command(amount_minor=10_000)
    await captured(units, ctx, command)
    refund = refund_command(command.booking_id, 4_000)

    await send(units, ctx, refund)

    assert refund_calls(units) == [
        (RefundParams(refund_id=refund.refund_id, amount_minor=4_000), f"{refund.refund_id}:refund")
    ]
    assert units.tables.refunds[refund.refund_id].status == "pending"


async def test_the_same_refund_id_refunds_once(units: FakePaymentsUnits, ctx: Context) -> None:
    command = authorize_command(amount_minor=10_000)
    await captured(units, ctx, command)
    refund = refund_command(command.booking_id, 3_000)

    await send(units, ctx, refund)
    await send(units, ctx, refund)

    assert [params.amount_minor for params, _ in refund_calls(units)] == [3_000]


async def test_refunds_are_capped_at_what_is_left_of_the_capture(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000)
    await captured(units, ctx, command)

    await send(units, ctx, refund_command(command.booking_id, 7_000))
    await send(units, ctx, refund_command(command.booking_id, 7_000))
    last = refund_command(command.booking_id, 1)
    await send(units, ctx, last)

    assert [params.amount_minor for params, _ in refund_calls(units)] == [7_000, 3_000]
    assert units.tables.refunds[last.refund_id].status == "rejected"


async def test_a_refund_before_the_capture_waits_for_it(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000)
    await send(units, ctx, command)
    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)
    refund = refund_command(command.booking_id, 2_500)

    await send(units, ctx, refund)
    assert units.tables.refunds[refund.refund_id].status == "awaiting_capture"
    assert refund_calls(units) == []

    await stripe_says(units, ctx, command.booking_id, PaymentStatus.CAPTURED, received_minor=10_000)

    assert units.tables.refunds[refund.refund_id].status == "pending"
    assert [params.amount_minor for params, _ in refund_calls(units)] == [2_500]
    assert len(units.outbox.messages(PaymentAuthorized)) == 1


async def test_an_admin_refund_beyond_the_capture_is_refused_and_leaves_nothing(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000)
    await captured(units, ctx, command)

    with pytest.raises(RefundTooLarge):
        await admin_refund(
            units,
            ctx,
            command.booking_id,
            amount_minor=10_001,
            note="goodwill",
            idempotency_key="k",
        )

    assert units.tables.refunds == {}
    assert refund_calls(units) == []


async def test_an_admin_refund_with_one_key_refunds_once(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000)
    await captured(units, ctx, command)

    first = await admin_refund(
        units, ctx, command.booking_id, amount_minor=2_000, note="late owner", idempotency_key="k1"
    )
    again = await admin_refund(
        units, ctx, command.booking_id, amount_minor=2_000, note="late owner", idempotency_key="k1"
    )

    assert first == again
    assert first.refund_id == uuid.uuid5(command.booking_id, "admin-refund:k1")
    assert (first.amount.amount_minor, first.status) == (2_000, "pending")
    assert units.tables.refunds[first.refund_id].note == "late owner"
    assert len(refund_calls(units)) == 1


async def test_an_admin_refund_without_a_captured_payment_is_unknown(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command()
    await send(units, ctx, command)

    with pytest.raises(UnknownPayment):
        await admin_refund(
            units, ctx, command.booking_id, amount_minor=100, note="n", idempotency_key=None
        )
