"""A booking's row as the saga writes it: a new booking names only the columns it has, a step
writes only the columns it changed, and either reads back as the booking written."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from booking.db.tables import bookings
from booking.db.unit import SqlBookingUnits
from booking.domain.booking import Status
from booking.repositories import ConcurrentUpdate, HistoryEntry
from contracts.booking import FailureReason

from ..unit.conftest import NOW, PAYMENT, RESERVATION, requested
from .conftest import BookingService

pytestmark = pytest.mark.integration


def columns(parameters: dict[str, Any]) -> set[str]:
    """The booking's columns a statement's parameters give values to."""
    return set(parameters) & set(bookings.c.keys())


async def test_a_new_booking_and_each_change_read_back_as_written_naming_only_what_changed(
    booking: BookingService, sent_statements: list[tuple[str, Any]]
) -> None:
    assert booking.runtime is not None
    units = SqlBookingUnits(booking.runtime.units)
    new = requested()
    held = replace(
        new,
        status=Status.PENDING_PAYMENT,
        reservation_id=RESERVATION,
        hold_expires_at=NOW + timedelta(minutes=10),
        deadline_at=NOW + timedelta(minutes=11),
        payment_id=PAYMENT,
        client_secret="pi_secret",
    )

    async with units.begin() as unit:
        added = await unit.bookings.add(new, traceparent=None)
    async with units.begin() as unit:
        saved = await unit.bookings.save(held, added)
        failed = replace(
            saved,
            status=Status.FAILED,
            failure_reason=FailureReason.PAYMENT_FAILED,
            hold_expires_at=None,  # a column set back to NULL is written too
            deadline_at=None,
            client_secret=None,
        )
        failed = await unit.bookings.save(failed, saved)
    async with units.one_statement() as unit:
        read_back = await unit.bookings.get(new.id)

    assert read_back == failed
    assert read_back is not None
    assert (read_back.status, read_back.version, read_back.hold_expires_at) == (
        Status.FAILED,
        3,
        None,
    )
    # Each with its history in the same statement (`WITH written AS (INSERT | UPDATE ...)`).
    insert, held_update, failed_update = [
        parameters
        for statement, parameters in sent_statements
        if statement.startswith("WITH written")
    ]
    assert "move_id" not in insert  # a new booking has no move yet: left NULL
    assert len(columns(insert)) < 50
    assert columns(held_update) == {
        "status",
        "reservation_id",
        "hold_expires_at",
        "deadline_at",
        "payment_id",
        "client_secret",
        "version",
    }
    assert columns(failed_update) == {
        "status",
        "failure_reason",
        "hold_expires_at",
        "deadline_at",
        "client_secret",
        "version",
    }


async def test_a_step_s_history_is_written_with_its_change_and_not_when_the_change_is_refused(
    booking: BookingService, sent_statements: list[tuple[str, Any]]
) -> None:
    assert booking.runtime is not None
    units = SqlBookingUnits(booking.runtime.units)
    new = requested()
    made = HistoryEntry(new.id, kind="action", name="request", status_after="requested")
    sent = HistoryEntry(new.id, kind="sent", name="availability.HoldSlots", message_id=uuid.uuid4())
    held = replace(new, status=Status.PENDING_PAYMENT, reservation_id=RESERVATION)
    step = HistoryEntry(
        new.id,
        kind="received",
        name="availability.SlotsHeld",
        status_before="requested",
        status_after="pending_payment",
        note="held",
        causation_id=sent.message_id,
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )

    async with units.begin() as unit:
        added = await unit.bookings.add(new, traceparent=None, history=[made, sent])
    async with units.begin() as unit:
        saved = await unit.bookings.save(held, added, [step])
    async with units.begin() as unit:  # from the version already replaced: refused
        with pytest.raises(ConcurrentUpdate):
            await unit.bookings.save(replace(held, status=Status.FAILED), added, [step])
    async with units.one_statement() as unit:
        history = await unit.history.of_booking(new.id)

    assert saved.version == 2
    written = [replace(entry, occurred_at=None) for entry in history]
    assert written == [made, sent, step]  # in order, each once
    assert not any(s.startswith("INSERT INTO booking_events") for s, _ in sent_statements)
