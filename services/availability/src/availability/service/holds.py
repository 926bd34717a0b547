"""Holds: placed for a booking's saga or for a person over HTTP (refused by the database itself
when they overlap), released, and swept when they lapse."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from availability.domain.holds import (
    RATE_WINDOW,
    HoldLimits,
    check_person_may_hold,
    length_refusal,
)
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    Reservation,
    ReservationNotFound,
    ReservationStatus,
    RoomTaken,
    SlotUnavailable,
    new_hold,
)
from availability.domain.slots import Refusal, refusal
from availability.repositories import AvailabilityUnit, AvailabilityUnits
from availability.service.schedules import Actor, opening_hours
from contracts.availability import (
    HoldExpired,
    UnavailableReason,
)
from contracts.values import TimeRange


@dataclass(frozen=True)
class HoldRequest:
    """A hold for a booking (the saga's HoldSlots) or for a person (over HTTP), never both."""

    studio_id: uuid.UUID
    room_id: uuid.UUID
    during: Interval
    booking_id: uuid.UUID | None = None
    held_by: str | None = None
    move_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.booking_id is None) == (self.held_by is None):
            raise ValueError("a hold is for a booking or for a person")


async def place_hold(
    uow: AvailabilityUnit,
    request: HoldRequest,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> Reservation | Refusal:
    """Hold a room for a range, or say why not; the database refuses overlaps itself."""
    # Before any work that grows with the range: a long range is refused, not computed.
    too_long = length_refusal(request.during, limits)
    if too_long is not None:
        return too_long
    found = await uow.studios.studio_with_policy(request.studio_id)
    if found is None or not found[0].bookable:
        return Refusal(UnavailableReason.STUDIO_NOT_BOOKABLE, "The studio takes no bookings.")
    studio, policy = found
    if not studio.has_room(request.room_id):
        return Refusal(UnavailableReason.UNKNOWN_ROOM, "The studio has no such room.")
    hours, closed = await opening_hours(uow, studio, request.room_id, request.during)
    refused = refusal(request.during, opening=hours, blackouts=closed, policy=policy, now=now)
    if refused is not None:
        return refused
    hold = new_hold(
        studio_id=studio.id,
        room_id=request.room_id,
        booking_id=request.booking_id,
        during=request.during,
        buffer=timedelta(minutes=policy.buffer_minutes),
        buffer_before=timedelta(minutes=policy.buffer_before_minutes),
        now=now,
        hold_for=hold_for,
        held_by=request.held_by,
        move_id=request.move_id,
    )
    # The exclusion constraint answers for every overlap, committed or concurrent, in the
    # insert's round trip: with another booking's reservation held or booked (a booking's move
    # may overlap its own). Lapsed holds not swept yet count too, so when it refuses, those in
    # the way stop counting now and the insert is tried once more: the usual hold, with nothing
    # in the way, is one statement.
    try:
        await uow.reservations.add_reservation(hold)
    except RoomTaken:
        if not await expire_lapsed_in_way(uow, hold, now):
            return _taken()
        try:
            await uow.reservations.add_reservation(hold)
        except RoomTaken:
            return _taken()
    return hold


def _taken() -> Refusal:
    return Refusal(UnavailableReason.ALREADY_RESERVED, "The room is taken for that time.")


async def expire_lapsed_in_way(
    uow: AvailabilityUnit, reservation: Reservation, now: datetime
) -> bool:
    """Lapsed holds in the way stop counting now, before the sweeper gets to them; whether
    there were any."""
    lapsed_in_way = await uow.reservations.expire_lapsed_overlapping(
        reservation.room_id, reservation.blocks, now
    )
    for lapsed in lapsed_in_way:
        await _announce_expiry(uow, lapsed, now)
    return bool(lapsed_in_way)


async def _announce_expiry(uow: AvailabilityUnit, lapsed: Reservation, now: datetime) -> None:
    if lapsed.booking_id is None:
        return  # a person's hold made over HTTP: no saga waits to hear about it
    await uow.publish(
        HoldExpired(
            booking_id=lapsed.booking_id,
            reservation_id=lapsed.id,
            studio_id=lapsed.studio_id,
            room_id=lapsed.room_id,
            time_range=time_range_of(lapsed.during),
            expired_at=lapsed.expires_at or now,
        ),
        correlation_id=str(lapsed.booking_id),
    )


def time_range_of(interval: Interval) -> TimeRange:
    return TimeRange(starts_at=interval.start, ends_at=interval.end)


async def hold_for_person(
    units: AvailabilityUnits,
    request: HoldRequest,
    *,
    hold_for: timedelta,
    limits: HoldLimits,
    now: datetime,
) -> Reservation:
    """A person's own hold, asked for over HTTP: no booking's saga ever sees it.

    Raises HoldLimitReached past the person's limits and SlotUnavailable when refused.
    """
    assert request.held_by is not None  # so booking_id is None: a hold is one or the other
    async with units.begin() as uow:
        # Counting and adding under one lock per person keeps replicas and races to the limit.
        await uow.lock(f"availability.person:{request.held_by}")
        holds = await uow.reservations.holds_of_person(request.held_by, now, RATE_WINDOW)
        check_person_may_hold(holds, limits, now)
        outcome = await place_hold(uow, request, hold_for=hold_for, limits=limits, now=now)
    if isinstance(outcome, Refusal):
        raise SlotUnavailable(outcome.reason, outcome.detail)
    return outcome


async def release_for_person(
    units: AvailabilityUnits, reservation_id: uuid.UUID, actor: Actor
) -> None:
    """A person lets go of their own HTTP hold before it lapses (an admin of anyone's).

    A booking's reservation is not a person's to release: its saga releases it.
    """
    async with units.begin() as uow:
        reservation = await uow.reservations.reservation_by_id(reservation_id)
        if (
            reservation is None
            or reservation.booking_id is not None
            or (reservation.held_by != str(actor.user_id) and not actor.is_admin)
        ):
            raise ReservationNotFound(reservation_id)
        if reservation.status is ReservationStatus.HELD:
            await uow.reservations.change_status(reservation, ReservationStatus.RELEASED)


async def sweep_lapsed_holds(units: AvailabilityUnits, *, now: datetime, limit: int) -> int:
    """Expire one batch of lapsed holds and announce each; safe with several replicas."""
    async with units.begin() as uow:
        lapsed = await uow.reservations.claim_lapsed_holds(now, limit)
        for reservation in lapsed:
            if await uow.reservations.change_status(reservation, ReservationStatus.EXPIRED):
                await _announce_expiry(uow, reservation, now)
    return len(lapsed)
