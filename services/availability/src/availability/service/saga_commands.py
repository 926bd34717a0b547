"""The booking saga's commands after the hold (saga_holds): ConfirmSlots, ReleaseSlots,
DropMoveHold, each answered once.

Commands about one booking take effect one at a time (a lock per booking across replicas),
and a booking whose reservations were released never holds again, so they end correct in
whatever order they arrive: a ReleaseSlots handled before its HoldSlots still wins.

A booked booking moves to another time or room in two steps: a HoldSlots with a `move_id`
holds the new range beside the booked reservation (the two may overlap), and ConfirmSlots of
that hold books it and releases the old reservation in the same transaction, so the booking
never has both or neither. DropMoveHold gives the move up; each move holds only once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from availability.domain.reservations import (
    Confirmation,
    Reservation,
    ReservationStatus,
    RoomTaken,
    confirmation_for,
)
from availability.repositories import AvailabilityUnit
from availability.service import holds
from availability.service.saga_holds import one_booking_at_a_time
from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    LostReason,
    MoveHoldDropped,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsLost,
    SlotsReleased,
)

# A compare-and-set that loses re-reads and decides again; more losses than this is a bug.
_CAS_ATTEMPTS = 5


async def confirm(uow: AvailabilityUnit, command: ConfirmSlots, *, now: datetime) -> None:
    """Book a held reservation: SlotsConfirmed, or SlotsLost when it cannot be had."""
    await one_booking_at_a_time(uow, command.booking_id)
    released, reservation = await uow.reservations.released_and_reservation(
        command.booking_id, command.reservation_id
    )
    if released:
        # A lapsed hold would otherwise be booked again for a booking that has ended.
        return await _lost(uow, command, LostReason.RELEASED)
    for _ in range(_CAS_ATTEMPTS):
        decision = confirmation_for(reservation, command.booking_id)
        if decision is Confirmation.NOT_FOUND or reservation is None:
            return await _lost(uow, command, LostReason.NOT_FOUND)
        if decision is Confirmation.RELEASED:
            return await _lost(uow, command, LostReason.RELEASED)
        if decision is Confirmation.ALREADY_BOOKED:
            replaced = None
            if reservation.move_id is not None:
                replaced = await uow.reservations.last_released_for(
                    command.booking_id, other_than=reservation.id
                )
            return await _confirmed(uow, reservation, reservation.confirmed_at or now, replaced)
        if await _room_removed(uow, reservation):
            await _release_where(uow, command.booking_id, lambda r: r.id == command.reservation_id)
            return await _lost(uow, command, LostReason.NOT_FOUND)
        if decision is Confirmation.REBOOK_IF_FREE:
            await holds.expire_lapsed_in_way(uow, reservation, now)
            try:
                changed = await uow.reservations.change_status(
                    reservation,
                    ReservationStatus.BOOKED,
                    confirmed_at=now,
                    may_overlap=True,
                )
            except RoomTaken:
                return await _lost(uow, command, LostReason.TAKEN)
        else:
            changed = await uow.reservations.change_status(
                reservation, ReservationStatus.BOOKED, confirmed_at=now
            )
        if changed:
            replaced = await _release_replaced(uow, reservation) if reservation.move_id else None
            return await _confirmed(uow, reservation, now, replaced)
        reservation = await uow.reservations.reservation_by_id(command.reservation_id)
    raise RuntimeError(f"reservation {command.reservation_id} kept changing under ConfirmSlots")


async def _room_removed(uow: AvailabilityUnit, reservation: Reservation) -> bool:
    """Whether the owner removed the held room while its booker paid. Catalog refuses to remove
    a room under a confirmed booking only: a hold is not one yet, so it is released and lost
    here instead of booked into a room the studio no longer has (the saga gives the money
    back)."""
    studio = await uow.studios.studio_by_id(reservation.studio_id)
    return studio is not None and not studio.has_room(reservation.room_id)


async def _release_where(
    uow: AvailabilityUnit, booking_id: uuid.UUID, which: Callable[[Reservation], bool]
) -> list[uuid.UUID]:
    """Release the booking's held or booked reservations that `which` picks; their ids."""
    released: list[uuid.UUID] = []
    for _ in range(_CAS_ATTEMPTS):
        pending = [r for r in await uow.reservations.held_or_booked_for(booking_id) if which(r)]
        if not pending:
            return released
        for reservation in pending:
            if await uow.reservations.change_status(reservation, ReservationStatus.RELEASED):
                released.append(reservation.id)
    raise RuntimeError(f"reservations of booking {booking_id} kept changing")


async def _release_replaced(uow: AvailabilityUnit, moved: Reservation) -> uuid.UUID | None:
    """A move just booked: its booking's other reservation is released with it."""
    assert moved.booking_id is not None
    replaced = await _release_where(uow, moved.booking_id, lambda r: r.id != moved.id)
    return replaced[-1] if replaced else None


async def _confirmed(
    uow: AvailabilityUnit,
    reservation: Reservation,
    confirmed_at: datetime,
    replaced: uuid.UUID | None = None,
) -> None:
    assert reservation.booking_id is not None
    await uow.publish(
        SlotsConfirmed(
            booking_id=reservation.booking_id,
            reservation_id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            time_range=holds.time_range_of(reservation.during),
            confirmed_at=confirmed_at,
            replaced_reservation_id=replaced,
        ),
        correlation_id=str(reservation.booking_id),
    )


async def _lost(uow: AvailabilityUnit, command: ConfirmSlots, reason: LostReason) -> None:
    await uow.publish(
        SlotsLost(
            booking_id=command.booking_id, reservation_id=command.reservation_id, reason=reason
        ),
        correlation_id=str(command.booking_id),
    )


async def release(uow: AvailabilityUnit, command: ReleaseSlots, *, now: datetime) -> None:
    """Free what the booking holds or booked; answered with SlotsReleased whatever there was.

    The booking is remembered as released, so no HoldSlots for it holds anything afterwards.
    """
    await one_booking_at_a_time(uow, command.booking_id)
    await uow.reservations.mark_released(command.booking_id, now)
    released = await _release_where(
        uow, command.booking_id, lambda r: command.reservation_id in (None, r.id)
    )
    await uow.publish(
        SlotsReleased(
            booking_id=command.booking_id,
            reservation_id=released[0] if released else await _bookings_own(uow, command),
            reason=command.reason,
            released_at=now,
        ),
        correlation_id=str(command.booking_id),
    )


async def _bookings_own(uow: AvailabilityUnit, command: ReleaseSlots) -> uuid.UUID | None:
    """The reservation named, when it is the booking's (released before); else None."""
    if command.reservation_id is None:
        return None
    named = await uow.reservations.reservation_by_id(command.reservation_id)
    return named.id if named is not None and named.booking_id == command.booking_id else None


async def drop_move(uow: AvailabilityUnit, command: DropMoveHold) -> None:
    """Let a move's hold go (a booked one stays: the move is done); MoveHoldDropped always."""
    await one_booking_at_a_time(uow, command.booking_id)
    dropped = await _release_where(
        uow,
        command.booking_id,
        lambda r: r.move_id == command.move_id and r.status is ReservationStatus.HELD,
    )
    await uow.publish(
        MoveHoldDropped(
            booking_id=command.booking_id,
            move_id=command.move_id,
            reservation_id=dropped[0] if dropped else None,
        ),
        correlation_id=str(command.booking_id),
    )
