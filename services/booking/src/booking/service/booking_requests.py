"""Requesting a booking: price it (the quote is the same pricing without booking anything),
snapshot price and policy, and start the saga, once per Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from booking.domain.add_ons import add_on_lines
from booking.domain.booking import Booking
from booking.domain.pricing import (
    InvalidBookingRequest,
    PriceBreakdown,
    price_booking,
    whole_hours,
)
from booking.domain.saga import SagaRules, start
from booking.domain.studios import (
    Studio,
    StudioUnknown,
    refuse_over_capacity,
    refuse_own_studio,
)
from booking.repositories import BookingUnit, BookingUnits
from booking.service.saga import Source, history_of, outgoing_of
from service_runtime.auth import Principal
from service_runtime.tracing import current_traceparent


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before with a different request."""


@dataclass(frozen=True)
class BookingRequest:
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    attendees: int = 1
    add_ons: Mapping[uuid.UUID, int] = field(default_factory=dict)
    """The add-ons chosen: id to quantity (0 for none)."""

    def fingerprint(self) -> str:
        fields: dict[str, object] = {
            "studio_id": str(self.studio_id),
            "room_id": str(self.room_id),
            "starts_at": self.starts_at.astimezone(UTC).isoformat(),
            "ends_at": self.ends_at.astimezone(UTC).isoformat(),
        }
        if self.attendees != 1:  # so keys claimed before bookings counted people still match
            fields["attendees"] = self.attendees
        chosen = {str(add_on_id): n for add_on_id, n in self.add_ons.items() if n}
        if chosen:
            fields["add_ons"] = chosen
        canonical = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Quote:
    """What a booking of `request` would cost if made now, and the studio it is for."""

    studio: Studio
    price: PriceBreakdown
    quoted_at: datetime


async def _bookable_studio(unit: BookingUnit, studio_id: uuid.UUID) -> Studio:
    studio = await unit.studios.get(studio_id)
    if studio is None:
        raise StudioUnknown(f"studio {studio_id} is not known")
    return studio


def _price(
    studio: Studio,
    request: BookingRequest,
    now: datetime,
    platform_fee_percent: Decimal,
    max_hours: int,
) -> PriceBreakdown:
    """The one pricing of a request: the quote shows it, the booking snapshots it."""
    if request.starts_at <= now:
        raise InvalidBookingRequest("a booking must start in the future", field="starts_at")
    hourly_price_minor = studio.hourly_price_of(request.room_id)
    refuse_over_capacity(studio, request.room_id, request.attendees)
    hours = whole_hours(request.starts_at, request.ends_at)
    return price_booking(
        hourly_price_minor=hourly_price_minor,
        currency=studio.currency,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        minimum_hours=studio.minimum_hours,
        maximum_hours=max_hours,
        platform_fee_percent=platform_fee_percent,
        add_ons=add_on_lines(studio, request.add_ons, hours),
    )


async def quote_booking(
    units: BookingUnits,
    request: BookingRequest,
    *,
    platform_fee_percent: Decimal,
    max_hours: int,
) -> Quote:
    """Price a request as `request_booking` would, without booking anything."""
    async with units.begin() as unit:
        studio = await _bookable_studio(unit, request.studio_id)
    price = _price(studio, request, unit.now, platform_fee_percent, max_hours)
    return Quote(studio=studio, price=price, quoted_at=unit.now)


async def request_booking(
    units: BookingUnits,
    *,
    principal: Principal,
    request: BookingRequest,
    idempotency_key: str | None,
    platform_fee_percent: Decimal,
    max_hours: int,
    rules: SagaRules,
) -> tuple[Booking, Studio]:
    """Price the booking, snapshot price and policy, and start the saga (HoldSlots); returns it
    with its studio (the read model's names and rooms, for the answer)."""
    booking_id = uuid.uuid4()
    async with units.begin() as unit:
        if idempotency_key is not None:
            first_id, first_hash = await unit.idempotency_keys.claim(
                user_id=str(principal.user_id),
                key=idempotency_key,
                request_hash=request.fingerprint(),
                booking_id=booking_id,
            )
            if first_hash != request.fingerprint():
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used for a different booking request"
                )
            if first_id != booking_id:
                existing = await unit.bookings.get(first_id)
                assert existing is not None
                return existing, await _bookable_studio(unit, existing.studio_id)
        studio = await _bookable_studio(unit, request.studio_id)
        refuse_own_studio(studio, principal.user_id)
        price = _price(studio, request, unit.now, platform_fee_percent, max_hours)
        booking = Booking(
            id=booking_id,
            booker_id=principal.user_id,
            owner_id=studio.owner_id,
            studio_id=studio.studio_id,
            room_id=request.room_id,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            price=price,
            cancellation_policy=studio.cancellation_policy,
            requested_at=unit.now,
            attendees=request.attendees,
            respond_by=studio.respond_by(unit.now, request.starts_at),
        )
        decision = start(booking, rules)
        traceparent = current_traceparent()
        source = Source(
            kind="action",
            name="request",
            traceparent=traceparent,
            actor_id=str(principal.user_id),
        )
        outgoing = outgoing_of(unit, decision)
        added = await unit.bookings.add(
            decision.booking,
            traceparent=traceparent,
            history=history_of(None, decision, source, outgoing),
        )
        await unit.publish_wrapped(outgoing)
    return added, studio
