"""What a confirmation does to a reservation in each state."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from availability.domain.intervals import Interval
from availability.domain.reservations import (
    Confirmation,
    Reservation,
    ReservationStatus,
    confirmation_for,
    new_hold,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
BOOKING = uuid.uuid4()


def hold(buffer: timedelta = timedelta(0)) -> Reservation:
    return new_hold(
        studio_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        booking_id=BOOKING,
        during=Interval(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=2)),
        buffer=buffer,
        now=NOW,
        hold_for=timedelta(minutes=10),
    )


def test_a_hold_lapses_at_its_expiry() -> None:
    held = hold()
    assert held.is_live(NOW)
    assert not held.is_live(NOW + timedelta(minutes=10))
    assert held.hold_expired(NOW + timedelta(minutes=10))


def test_blocked_time_includes_the_buffer_after() -> None:
    held = hold(buffer=timedelta(minutes=15))
    assert held.blocks == Interval(held.during.start, held.during.end + timedelta(minutes=15))


def test_blocked_time_includes_the_buffers_before_and_after() -> None:
    held = replace(hold(buffer=timedelta(minutes=15)), buffer_before=timedelta(minutes=20))
    assert held.blocks == Interval(
        held.during.start - timedelta(minutes=20), held.during.end + timedelta(minutes=15)
    )


def test_confirmation_by_state() -> None:
    held = hold()
    assert confirmation_for(held, BOOKING) is Confirmation.BOOK
    assert confirmation_for(held, uuid.uuid4()) is Confirmation.NOT_FOUND
    assert confirmation_for(None, BOOKING) is Confirmation.NOT_FOUND
    booked = replace(held, status=ReservationStatus.BOOKED)
    assert confirmation_for(booked, BOOKING) is Confirmation.ALREADY_BOOKED
    expired = replace(held, status=ReservationStatus.EXPIRED)
    assert confirmation_for(expired, BOOKING) is Confirmation.REBOOK_IF_FREE
    released = replace(held, status=ReservationStatus.RELEASED)
    assert confirmation_for(released, BOOKING) is Confirmation.RELEASED
