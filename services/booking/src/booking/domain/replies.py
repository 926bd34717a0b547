"""Whether a reply from availability or payments answers what this booking's saga asked for.

Availability answers only the saga's commands, so its replies must name (by the envelope's
causation id) a command the saga sent and repeat what it asked for: a hold made by anyone else,
or for another room, time or reservation, is not the booking's. Payments' replies mostly come
from Stripe's webhooks rather than from a command, so they may carry no causation id; when
they do, it must name a command of the saga, and in any case they must be about the booking's
own payment and amount: its first, or that of a move to a dearer time (the move under way, for
the amount; a move over is the saga's to undo).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from booking.domain.booking import Booking
from contracts import Message
from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    HoldSlots,
    MoveHoldDropped,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
)
from contracts.payments import (
    DisputeClosed,
    DisputeOpened,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentIntentReady,
    PaymentRefunded,
    PaymentVoided,
)
from contracts.values import Money, TimeRange


@dataclass(frozen=True)
class Reply:
    """A message from another service, and what of the saga's it answers."""

    message: Message
    answers: str | None = None
    """The message type of the booking's own sent command that the reply's causation id
    names; None when the reply names no command of this booking."""
    caused: bool = False
    """Whether the reply's envelope names a causation id at all."""


ASKED_BY: dict[type[Message], type[Message]] = {
    SlotsHeld: HoldSlots,
    SlotsUnavailable: HoldSlots,
    SlotsConfirmed: ConfirmSlots,
    SlotsLost: ConfirmSlots,
    MoveHoldDropped: DropMoveHold,
}
"""Availability's replies and the command each must answer."""


def why_not_ours(booking: Booking, reply: Reply) -> str | None:
    """Why the reply is not an answer to what the saga asked for; None when it is."""
    message = reply.message
    command = ASKED_BY.get(type(message))
    if command is not None and reply.answers != command.message_type:
        return f"it answers no {command.__name__} this booking sent"
    check = _CONTENT_CHECKS.get(type(message))
    if check is None:
        return None  # a notice (released, expired, paid out): nothing was asked
    if reply.caused and reply.answers is None:
        return "it answers no command this booking sent"
    return check(booking, message)


def _differs(what: str, said: object, asked: object) -> str:
    return f"its {what} ({said}) is not the booking's ({asked})"


def _same_place_and_time(b: Booking, room_id: uuid.UUID, time_range: TimeRange) -> str | None:
    if room_id != b.room_id:
        return _differs("room", room_id, b.room_id)
    if time_range != b.time_range:
        span = f"{time_range.starts_at.isoformat()}..{time_range.ends_at.isoformat()}"
        asked = f"{b.starts_at.isoformat()}..{b.ends_at.isoformat()}"
        return _differs("time", span, asked)
    return None


def _same_reservation(b: Booking, reservation_id: uuid.UUID) -> str | None:
    if b.reservation_id is not None and reservation_id != b.reservation_id:
        return _differs("reservation", reservation_id, b.reservation_id)
    return None


def _same_payment(b: Booking, payment_id: uuid.UUID | None) -> str | None:
    if None not in (b.payment_id, payment_id) and not b.knows_payment(payment_id):
        return _differs("payment", payment_id, b.payment_id)
    return None


def _exact_total(b: Booking, amount: Money) -> str | None:
    if amount != b.payment_total:
        return _differs("amount", _money(amount), _money(b.payment_total))
    return None


def _within_total(b: Booking, amount: Money) -> str | None:
    paid = b.payment_total
    most = paid.amount_minor + (b.move_extra_minor if b.move and b.move.payment_id else 0)
    if amount.currency != paid.currency or amount.amount_minor > most:
        return f"its amount ({_money(amount)}) exceeds the booking's ({_money(b.money(most))})"
    return None


def _move_payment(
    b: Booking, move_id: uuid.UUID, payment_id: uuid.UUID | None, amount: Money | None = None
) -> str | None:
    """A reply about a move's payment: for the move under way, its payment and difference."""
    if b.move is None or b.move.id != move_id:
        return None  # a move given up: the saga gives its payment back
    if None not in (b.move.payment_id, payment_id) and payment_id != b.move.payment_id:
        return _differs("payment", payment_id, b.move.payment_id)
    if amount is not None and amount != b.money(b.move_extra_minor):
        return _differs("amount", _money(amount), f"{b.move_extra_minor} {b.price.currency}")
    return None


def _money(amount: Money) -> str:
    return f"{amount.amount_minor} {amount.currency}"


def _first(*problems: str | None) -> str | None:
    return next((problem for problem in problems if problem), None)


def _moved_place_and_time(b: Booking, room_id: uuid.UUID, time_range: TimeRange) -> str | None:
    assert b.move is not None
    if (room_id, time_range) != (b.move.room_id, b.move.time_range):
        return f"its room and time are not those of the booking's move ({b.move.id})"
    return None


def _held(b: Booking, m: SlotsHeld) -> str | None:
    studio = None if m.studio_id == b.studio_id else _differs("studio", m.studio_id, b.studio_id)
    if m.move_id is None:
        return _first(studio, _same_place_and_time(b, m.room_id, m.time_range))
    if b.move is None or b.move.id != m.move_id:
        return studio  # a hold for a move given up: the saga lets it go
    return _first(studio, _moved_place_and_time(b, m.room_id, m.time_range))


def _unavailable(b: Booking, m: SlotsUnavailable) -> str | None:
    if m.move_id is None:
        return _same_place_and_time(b, m.room_id, m.time_range)
    if b.move is None or b.move.id != m.move_id:
        return None  # about a move that is over: changes nothing
    return _moved_place_and_time(b, m.room_id, m.time_range)


def _confirmed(b: Booking, m: SlotsConfirmed) -> str | None:
    if b.move is not None and m.reservation_id == b.move.reservation_id:
        return _moved_place_and_time(b, m.room_id, m.time_range)
    if m.replaced_reservation_id is not None:
        # A move the saga gave up may still have been booked: it replaced this reservation.
        return _same_reservation(b, m.replaced_reservation_id)
    return _first(
        _same_reservation(b, m.reservation_id), _same_place_and_time(b, m.room_id, m.time_range)
    )


def _lost(b: Booking, m: SlotsLost) -> str | None:
    if b.move is not None and m.reservation_id == b.move.reservation_id:
        return None
    return _same_reservation(b, m.reservation_id)


def _intent_ready(b: Booking, m: PaymentIntentReady) -> str | None:
    if m.move_id is not None:
        return _move_payment(b, m.move_id, m.payment_id, m.amount)
    return _first(_same_payment(b, m.payment_id), _exact_total(b, m.amount))


def _authorized(b: Booking, m: PaymentAuthorized) -> str | None:
    if m.move_id is not None:
        return _move_payment(b, m.move_id, m.payment_id, m.amount)
    return _first(_same_payment(b, m.payment_id), _exact_total(b, m.amount))


def _failed(b: Booking, m: PaymentFailed) -> str | None:
    if m.move_id is not None:
        return _move_payment(b, m.move_id, m.payment_id)
    return _same_payment(b, m.payment_id)


def _captured(b: Booking, m: PaymentCaptured) -> str | None:
    return _first(_same_payment(b, m.payment_id), _within_total(b, m.amount))


def _refunded(b: Booking, m: PaymentRefunded) -> str | None:
    return _first(_same_payment(b, m.payment_id), _within_total(b, m.total_refunded))


def _voided(b: Booking, m: PaymentVoided) -> str | None:
    if m.move_id is not None:
        return None  # a move's difference let go: nothing in the booking changes
    return _same_payment(b, m.payment_id)


def _disputed(b: Booking, m: DisputeOpened | DisputeClosed) -> str | None:
    return _first(_same_payment(b, m.payment_id), _within_total(b, m.amount))


_CONTENT_CHECKS: dict[type[Message], Callable[[Booking, Any], str | None]] = {
    SlotsHeld: _held,
    SlotsUnavailable: _unavailable,
    SlotsConfirmed: _confirmed,
    SlotsLost: _lost,
    PaymentIntentReady: _intent_ready,
    PaymentAuthorized: _authorized,
    PaymentFailed: _failed,
    PaymentCaptured: _captured,
    PaymentRefunded: _refunded,
    PaymentVoided: _voided,
    DisputeOpened: _disputed,
    DisputeClosed: _disputed,
}
