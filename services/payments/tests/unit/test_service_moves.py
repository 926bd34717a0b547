"""A booking with a second payment, for a dearer move's difference: authorized beside the
first, voided alone or with it, captured and refunded across both, paid out once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    PaymentCaptured,
    PaymentIntentReady,
    PaymentRefunded,
    PaymentVoided,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)
from contracts.values import Money
from payments.domain.payment_states import PaymentStatus
from payments.domain.payouts import PayoutStatus
from payments.repositories import OwnerAccount
from payments.service.context import Context
from payments.service.payouts import schedule_due_payouts

from .fake_stripe import FakeStripe
from .fakes import FakePaymentsUnits
from .service_world import (
    NOW,
    OWNER,
    authorized_by_stripe,
    card_authorized,
    refund_command,
    run_calls,
    send,
)

MOVE = uuid.UUID("00000000-0000-0000-0000-0000000000aa")


def move_command(first: AuthorizePayment, amount_minor: int = 4_000) -> AuthorizePayment:
    """The dearer move's difference: 4 000, its fee the difference of fees (600)."""
    return first.model_copy(
        update={
            "move_id": MOVE,
            "amount": Money(amount_minor=amount_minor, currency="EUR"),
            "platform_fee": Money(amount_minor=amount_minor * 15 // 100, currency="EUR"),
        }
    )


async def with_move_authorized(
    units: FakePaymentsUnits, ctx: Context
) -> tuple[AuthorizePayment, AuthorizePayment]:
    first = await authorized_by_stripe(units, ctx)
    move = move_command(first)
    await send(units, ctx, move)
    await run_calls(units, ctx)
    await card_authorized(units, ctx, first.booking_id, move_id=MOVE)
    return first, move


async def test_a_moves_payment_is_authorized_beside_the_first_and_once(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first, move = await with_move_authorized(units, ctx)
    await send(units, ctx, move)  # redelivered
    await run_calls(units, ctx)

    intents = stripe.made("create_intent")
    assert [c["idempotency_key"] for c in intents] == [
        f"{first.booking_id}:authorize",
        f"{first.booking_id}:{MOVE}:authorize",
    ]
    assert intents[1]["amount_minor"] == 4_000
    payments = units.tables.of_booking(first.booking_id)
    assert [(p.move_id, p.status) for p in payments] == [
        (None, PaymentStatus.AUTHORIZED),
        (MOVE, PaymentStatus.AUTHORIZED),
    ]
    [ready] = [m for m in units.outbox.messages(PaymentIntentReady) if m.move_id == MOVE]
    assert ready.payment_id == payments[1].id


async def test_a_void_of_a_move_releases_only_that_payment(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first, _ = await with_move_authorized(units, ctx)

    await send(
        units,
        ctx,
        VoidPayment(booking_id=first.booking_id, move_id=MOVE, reason=VoidReason.SLOTS_LOST),
    )
    await run_calls(units, ctx)

    assert [c["idempotency_key"] for c in stripe.made("cancel")] == [
        f"{first.booking_id}:{MOVE}:void"
    ]
    [voided] = units.outbox.messages(PaymentVoided)
    assert voided.move_id == MOVE
    statuses = [p.status for p in units.tables.of_booking(first.booking_id)]
    assert statuses == [PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED]


async def test_a_void_of_the_booking_releases_every_payment(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    first, _ = await with_move_authorized(units, ctx)

    await send(units, ctx, VoidPayment(booking_id=first.booking_id, reason=VoidReason.CANCELLED))
    await run_calls(units, ctx)

    assert sorted(str(m.move_id) for m in units.outbox.messages(PaymentVoided)) == sorted(
        [str(None), str(MOVE)]
    )
    assert {p.status for p in units.tables.of_booking(first.booking_id)} == {PaymentStatus.VOIDED}


async def test_a_move_voided_before_it_was_asked_for_is_never_created(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first = await authorized_by_stripe(units, ctx)

    await send(
        units,
        ctx,
        VoidPayment(booking_id=first.booking_id, move_id=MOVE, reason=VoidReason.HOLD_TIMED_OUT),
    )
    await send(units, ctx, move_command(first))
    await run_calls(units, ctx)

    [voided] = units.outbox.messages(PaymentVoided)
    assert (voided.move_id, voided.payment_id) == (MOVE, None)
    assert len(units.tables.of_booking(first.booking_id)) == 1
    assert len(stripe.made("create_intent")) == 1


async def test_a_capture_takes_both_payments(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first, _ = await with_move_authorized(units, ctx)

    await send(units, ctx, CapturePayment(booking_id=first.booking_id))
    await run_calls(units, ctx)

    assert [(c["idempotency_key"], c["amount_minor"]) for c in stripe.made("capture")] == [
        (f"{first.booking_id}:capture", 10_000),
        (f"{first.booking_id}:{MOVE}:capture", 4_000),
    ]
    captured = units.outbox.messages(PaymentCaptured)
    assert [(m.move_id, m.amount.amount_minor, m.platform_fee.amount_minor) for m in captured] == [
        (None, 10_000, 1_500),
        (MOVE, 4_000, 600),
    ]


async def test_a_capture_of_an_amount_takes_the_oldest_first_and_the_rest_of_the_next(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first, _ = await with_move_authorized(units, ctx)
    amount = Money(amount_minor=11_000, currency="EUR")

    await send(units, ctx, CapturePayment(booking_id=first.booking_id, amount=amount))
    await run_calls(units, ctx)

    assert [c["amount_minor"] for c in stripe.made("capture")] == [10_000, 1_000]


async def test_a_capture_the_first_payment_covers_releases_the_moves(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first, _ = await with_move_authorized(units, ctx)
    amount = Money(amount_minor=8_000, currency="EUR")

    await send(units, ctx, CapturePayment(booking_id=first.booking_id, amount=amount))
    await run_calls(units, ctx)

    assert [c["amount_minor"] for c in stripe.made("capture")] == [8_000]
    assert [c["idempotency_key"] for c in stripe.made("cancel")] == [
        f"{first.booking_id}:{MOVE}:void"
    ]


async def captured_both(units: FakePaymentsUnits, ctx: Context) -> AuthorizePayment:
    first, _ = await with_move_authorized(units, ctx)
    await send(units, ctx, CapturePayment(booking_id=first.booking_id))
    await run_calls(units, ctx)
    return first


async def test_a_refund_spanning_both_payments_takes_the_newest_first_once(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first = await captured_both(units, ctx)
    refund = refund_command(first.booking_id, 6_000)

    await send(units, ctx, refund)
    await send(units, ctx, refund)  # redelivered
    await run_calls(units, ctx)
    await send(units, ctx, refund)
    await run_calls(units, ctx)

    assert [(c["idempotency_key"], c["amount_minor"]) for c in stripe.made("refund")] == [
        (f"{refund.refund_id}:{MOVE}:refund", 4_000),
        (f"{refund.refund_id}:refund", 2_000),
    ]
    refunded = units.outbox.messages(PaymentRefunded)
    assert [
        (m.move_id, m.amount.amount_minor, m.total_refunded.amount_minor) for m in refunded
    ] == [
        (MOVE, 4_000, 4_000),
        (None, 2_000, 6_000),
    ]
    assert [p.refunded_minor for p in units.tables.of_booking(first.booking_id)] == [2_000, 4_000]


async def test_a_refund_gives_no_more_than_both_payments_hold(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first = await captured_both(units, ctx)

    await send(units, ctx, refund_command(first.booking_id, 13_000))
    await send(units, ctx, refund_command(first.booking_id, 5_000))
    await run_calls(units, ctx)

    assert sum(c["amount_minor"] for c in stripe.made("refund")) == 14_000
    assert units.outbox.messages(PaymentRefunded)[-1].total_refunded.amount_minor == 14_000


async def test_the_owner_is_paid_the_sum_of_their_shares_once(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    first = await captured_both(units, ctx)
    units.tables.owner_accounts[OWNER] = OwnerAccount(OWNER, "acct_1", True, None)
    schedule = SchedulePayout(
        booking_id=first.booking_id, owner_id=OWNER, not_before=NOW - timedelta(days=30)
    )

    await send(units, ctx, schedule)
    await send(units, ctx, schedule)
    await schedule_due_payouts(units, ctx)
    await schedule_due_payouts(units, ctx)
    await run_calls(units, ctx)

    [transfer] = stripe.made("transfer")
    assert transfer["amount_minor"] == (10_000 - 1_500) + (4_000 - 600)
    assert transfer["source_charge"] is None  # neither charge holds it all
    assert units.tables.payouts[first.booking_id].status is PayoutStatus.PAID
