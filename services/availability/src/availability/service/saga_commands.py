"""The booking saga's commands: HoldSlots, ConfirmSlots, ReleaseSlots, each answered once.

Commands about one booking take effect one at a time (a lock per booking across replicas),
and a booking whose reservations were released never holds again, so they end correct in
whatever order they arrive: a ReleaseSlots handled before its HoldSlots still wins.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from availability import db
from availability.domain.holds import HoldLimits
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    Confirmation,
    Reservation,
    ReservationStatus,
    confirmation_for,
)
from availability.domain.slots import Refusal
from availability.service import holds
from contracts.availability import (
    ConfirmSlots,
    HoldSlots,
    LostReason,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsReleased,
    SlotsUnavailable,
    UnavailableReason,
)
from service_runtime.unit_of_work import UnitOfWork

# A compare-and-set that loses re-reads and decides again; more losses than this is a bug.
_CAS_ATTEMPTS = 5


async def _one_at_a_time(uow: UnitOfWork, booking_id: uuid.UUID) -> None:
    """Commands about one booking wait for each other, on every replica."""
    await db.lock(uow.session, f"availability.booking:{booking_id}")


async def _booking_hold(
    uow: UnitOfWork, request: holds.HoldRequest, booking_id: uuid.UUID, now: datetime
) -> Reservation | Refusal | None:
    """What the booking holds already: the same range again gets the same hold, another range
    is refused (a booking has one reservation), and so is any after its release; None when it
    holds nothing live."""
    if await db.was_released(uow.session, booking_id):
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} was released; it takes no new hold.",
        )
    for existing in await db.held_or_booked_for(uow.session, booking_id):
        if not existing.is_live(now):
            continue
        if existing.room_id == request.room_id and existing.during == request.during:
            return existing
        return Refusal(
            UnavailableReason.ALREADY_RESERVED,
            f"Booking {booking_id} already holds reservation {existing.id} for another time.",
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
    )


def hold_length(
    command: HoldSlots, usual: timedelta, longest_request: timedelta, now: datetime
) -> timedelta:
    """The usual minutes, or as long as a request waiting on the owner asks, within bounds."""
    if command.hold_until is None:
        return usual
    return max(usual, min(command.hold_until - now, longest_request))


async def hold_for_booking(
    uow: UnitOfWork,
    command: HoldSlots,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> None:
    """The saga's HoldSlots: answered with SlotsHeld or SlotsUnavailable."""
    await _one_at_a_time(uow, command.booking_id)
    request = holds.HoldRequest(
        studio_id=command.studio_id,
        room_id=command.room_id,
        during=Interval(command.time_range.starts_at, command.time_range.ends_at),
        booking_id=command.booking_id,
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
        ),
        correlation_id=str(command.booking_id),
    )


async def confirm(uow: UnitOfWork, command: ConfirmSlots, *, now: datetime) -> None:
    """Book a held reservation: SlotsConfirmed, or SlotsLost when it cannot be had."""
    await _one_at_a_time(uow, command.booking_id)
    if await db.was_released(uow.session, command.booking_id):
        # A lapsed hold would otherwise be booked again for a booking that has ended.
        return await _lost(uow, command, LostReason.RELEASED)
    for _ in range(_CAS_ATTEMPTS):
        reservation = await db.reservation_by_id(uow.session, command.reservation_id)
        decision = confirmation_for(reservation, command.booking_id)
        if decision is Confirmation.NOT_FOUND or reservation is None:
            return await _lost(uow, command, LostReason.NOT_FOUND)
        if decision is Confirmation.RELEASED:
            return await _lost(uow, command, LostReason.RELEASED)
        if decision is Confirmation.ALREADY_BOOKED:
            return await _confirmed(uow, reservation, reservation.confirmed_at or now)
        if decision is Confirmation.REBOOK_IF_FREE:
            await holds.expire_lapsed_in_way(uow, reservation, now)
            try:
                changed = await db.change_status(
                    uow.session,
                    reservation,
                    ReservationStatus.BOOKED,
                    confirmed_at=now,
                    may_overlap=True,
                )
            except db.RoomTaken:
                return await _lost(uow, command, LostReason.TAKEN)
        else:
            changed = await db.change_status(
                uow.session, reservation, ReservationStatus.BOOKED, confirmed_at=now
            )
        if changed:
            return await _confirmed(uow, reservation, now)
    raise RuntimeError(f"reservation {command.reservation_id} kept changing under ConfirmSlots")


async def _confirmed(uow: UnitOfWork, reservation: Reservation, confirmed_at: datetime) -> None:
    assert reservation.booking_id is not None
    await uow.publish(
        SlotsConfirmed(
            booking_id=reservation.booking_id,
            reservation_id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            time_range=holds.time_range_of(reservation.during),
            confirmed_at=confirmed_at,
        ),
        correlation_id=str(reservation.booking_id),
    )


async def _lost(uow: UnitOfWork, command: ConfirmSlots, reason: LostReason) -> None:
    await uow.publish(
        SlotsLost(
            booking_id=command.booking_id, reservation_id=command.reservation_id, reason=reason
        ),
        correlation_id=str(command.booking_id),
    )


async def release(uow: UnitOfWork, command: ReleaseSlots, *, now: datetime) -> None:
    """Free what the booking holds or booked; answered with SlotsReleased whatever there was.

    The booking is remembered as released, so no HoldSlots for it holds anything afterwards.
    """
    await _one_at_a_time(uow, command.booking_id)
    await db.mark_released(uow.session, command.booking_id, now)
    released: list[uuid.UUID] = []
    for _ in range(_CAS_ATTEMPTS):
        pending = [
            reservation
            for reservation in await db.held_or_booked_for(uow.session, command.booking_id)
            if command.reservation_id in (None, reservation.id)
        ]
        if not pending:
            break
        for reservation in pending:
            if await db.change_status(uow.session, reservation, ReservationStatus.RELEASED):
                released.append(reservation.id)
    else:
        raise RuntimeError(f"reservations of booking {command.booking_id} kept changing")
    await uow.publish(
        SlotsReleased(
            booking_id=command.booking_id,
            reservation_id=released[0] if released else await _bookings_own(uow, command),
            reason=command.reason,
            released_at=now,
        ),
        correlation_id=str(command.booking_id),
    )


async def _bookings_own(uow: UnitOfWork, command: ReleaseSlots) -> uuid.UUID | None:
    """The reservation named, when it is the booking's (released before); else None."""
    if command.reservation_id is None:
        return None
    named = await db.reservation_by_id(uow.session, command.reservation_id)
    return named.id if named is not None and named.booking_id == command.booking_id else None
