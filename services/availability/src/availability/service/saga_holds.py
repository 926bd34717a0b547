"""The booking saga's HoldSlots: a booking's hold, or a move's beside its booked reservation,
answered once with SlotsHeld or SlotsUnavailable (the other commands: saga_commands).

Commands about one booking take effect one at a time (a lock per booking across replicas),
and a booking whose reservations were released never holds again, so a ReleaseSlots handled
before its HoldSlots still wins. A move holds only once: a lost or dropped move hold is not
placed again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from availability.domain.holds import HoldLimits
from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation, ReservationStatus
from availability.domain.slots import Refusal
from availability.repositories import AvailabilityUnit
from availability.service import holds
from contracts.availability import HoldSlots, SlotsHeld, SlotsUnavailable, UnavailableReason


async def one_booking_at_a_time(uow: AvailabilityUnit, booking_id: uuid.UUID) -> None:
    """Commands about one booking wait for each other, on every replica."""
    await uow.lock(f"availability.booking:{booking_id}")


async def _booking_hold(
    uow: AvailabilityUnit, request: holds.HoldRequest, booking_id: uuid.UUID, now: datetime
) -> Reservation | Refusal | None:
    """What the booking holds already: the same range again gets the same hold, another range
    is refused (a booking has one reservation), and so is any after its release; None when it
    holds nothing live."""
    released, counting = await uow.reservations.released_and_held_or_booked(booking_id)
    if released:
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} was released; it takes no new hold.",
        )
    if request.move_id is not None:
        return await _move_hold(uow, request, booking_id, request.move_id, counting, now)
    for existing in counting:
        if not existing.is_live(now) or existing.move_id is not None:
            continue
        if existing.room_id == request.room_id and existing.during == request.during:
            return existing
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} already holds reservation {existing.id} for another time.",
        )
    return None


async def _move_hold(
    uow: AvailabilityUnit,
    request: holds.HoldRequest,
    booking_id: uuid.UUID,
    move_id: uuid.UUID,
    counting: list[Reservation],
    now: datetime,
) -> Reservation | Refusal | None:
    """What a move of a booked booking holds already, or why it may not hold; None when it
    may place its hold now. `counting`: the booking's reservations held or booked."""
    for earlier in await uow.reservations.reservations_of_move(booking_id, move_id):
        if not earlier.is_live(now):
            return Refusal(
                UnavailableReason.ALREADY_RESERVED,
                f"Move {move_id} of booking {booking_id} lost its hold; it holds only once.",
            )
        if earlier.room_id == request.room_id and earlier.during == request.during:
            return earlier
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Move {move_id} of booking {booking_id} holds another time.",
        )
    live = [r for r in counting if r.is_live(now)]
    if not any(r.status is ReservationStatus.BOOKED for r in live):
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} has no booked reservation to move.",
        )
    if any(r.status is ReservationStatus.HELD for r in live):
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} is already being moved; one move at a time.",
        )
    return None


def _held(reservation: Reservation) -> SlotsHeld:
    assert reservation.booking_id is not None
    assert reservation.expires_at is not None
    return SlotsHeld(
        booking_id=reservation.booking_id,
        reservation_id=reservation.id,
        studio_id=reservation.studio_id,
        room_id=reservation.room_id,
        time_range=holds.time_range_of(reservation.during),
        expires_at=reservation.expires_at,
        move_id=reservation.move_id,
    )


def hold_length(
    command: HoldSlots, usual: timedelta, longest_request: timedelta, now: datetime
) -> timedelta:
    """The usual minutes, or as long as a request waiting on the owner asks, within bounds."""
    if command.hold_until is None:
        return usual
    return max(usual, min(command.hold_until - now, longest_request))


async def hold_for_booking(
    uow: AvailabilityUnit,
    command: HoldSlots,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> None:
    """The saga's HoldSlots: answered with SlotsHeld or SlotsUnavailable. Its booker is
    recorded for the owner's calendar feed, which names them by first name."""
    await one_booking_at_a_time(uow, command.booking_id)
    if command.booker_id is not None:
        await uow.calendar_feeds.record_booker(command.booking_id, command.booker_id)
    request = holds.HoldRequest(
        studio_id=command.studio_id,
        room_id=command.room_id,
        during=Interval(command.time_range.starts_at, command.time_range.ends_at),
        booking_id=command.booking_id,
        move_id=command.move_id,
    )
    outcome = await _booking_hold(uow, request, command.booking_id, now)
    if outcome is None:
        outcome = await holds.place_hold(uow, request, hold_for=hold_for, limits=limits, now=now)
    if isinstance(outcome, Reservation):
        await uow.publish(_held(outcome), correlation_id=str(command.booking_id))
        return
    await uow.publish(
        SlotsUnavailable(
            booking_id=command.booking_id,
            studio_id=command.studio_id,
            room_id=command.room_id,
            time_range=command.time_range,
            reason=outcome.reason,
            detail=outcome.detail,
            move_id=command.move_id,
        ),
        correlation_id=str(command.booking_id),
    )
