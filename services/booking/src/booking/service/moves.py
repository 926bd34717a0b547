"""Rescheduling a confirmed booking: the booker (or an admin) asks for another room or time of
its studio, priced from the studio's rooms as booking knows them, and the saga moves it; the
studio's owner may only propose one, which moves once the booker agrees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from booking.domain.access import Side
from booking.domain.booking import Booking, NotAllowed
from booking.domain.pricing import moved_price
from booking.domain.saga import AnswerMove, Reschedule, SagaRules
from booking.domain.studios import StudioUnknown, refuse_over_capacity
from booking.repositories import BookingUnits
from booking.service.reads import visible_booking
from booking.service.saga import Source, run_saga
from service_runtime.auth import Principal
from service_runtime.tracing import current_traceparent


@dataclass(frozen=True)
class MoveRequest:
    room_id: uuid.UUID | None
    """None keeps the booking's room."""
    starts_at: datetime
    ends_at: datetime


async def reschedule(
    units: BookingUnits,
    principal: Principal,
    booking_id: uuid.UUID,
    request: MoveRequest,
    rules: SagaRules,
    *,
    max_hours: int,
) -> Booking:
    """Start moving the booking (the saga holds the new time and then books it), or, asked by
    the studio's owner, propose the move to its booker."""
    async with units.begin() as unit:
        booking, side = await visible_booking(unit, principal, booking_id)
        studio = await unit.studios.get(booking.studio_id)
        if studio is None:
            raise StudioUnknown(f"studio {booking.studio_id} is not known")
        room_id = request.room_id or booking.room_id
        # The booked room keeps the price paid for it; another room costs what it costs now.
        hourly = (
            booking.price.hourly_price_minor
            if room_id == booking.room_id
            else studio.hourly_price_of(room_id)
        )
        refuse_over_capacity(studio, room_id, booking.attendees)
        price = moved_price(
            booking.price,
            hourly_price_minor=hourly,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            minimum_hours=studio.minimum_hours,
            maximum_hours=max_hours,
        )
        happening = Reschedule(
            move_id=uuid.uuid4(),
            room_id=room_id,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            price=price,
            requested_by=principal.user_id,
            needs_booker=side is Side.OWNER,
        )
        source = Source(
            kind="action",
            name="reschedule",
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return await run_saga(unit, booking_id, happening, source, rules)


async def answer_move(
    units: BookingUnits,
    principal: Principal,
    booking_id: uuid.UUID,
    agreed: bool,
    rules: SagaRules,
) -> Booking:
    """The booker's (or an admin's) answer to the time the studio's owner proposed."""
    async with units.begin() as unit:
        _, side = await visible_booking(unit, principal, booking_id)
        if side is Side.OWNER:
            raise NotAllowed("only the booker answers the time their studio proposed")
        source = Source(
            kind="action",
            name="accept_move" if agreed else "decline_move",
            traceparent=current_traceparent(),
            actor_id=str(principal.user_id),
        )
        return await run_saga(unit, booking_id, AnswerMove(agreed), source, rules)
