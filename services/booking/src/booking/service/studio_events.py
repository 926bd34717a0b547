"""Catalog's studio events kept as booking's read model of studios; a suspension carries
through to the studio's bookings still to come."""

from __future__ import annotations

import logging
from dataclasses import replace

from booking.domain.booking import IllegalTransition
from booking.domain.saga import Cancel, SagaRules
from booking.domain.studios import AddOn, Room, Studio
from booking.repositories import BookingUnit
from booking.service.saga import Source, run_saga
from contracts import Envelope
from contracts.booking import CancellationReason, CancelledBy
from contracts.catalog import StudioPublished, StudioSuspended

log = logging.getLogger(__name__)


async def apply_studio_event(
    unit: BookingUnit, event: StudioPublished, envelope: Envelope, rules: SagaRules
) -> bool:
    """Keep the highest revision of a studio; older or repeated events change nothing.

    A suspension cancels each of the studio's bookings still to come with a full refund, the
    booker told why (studio_unavailable).
    """
    studio = Studio(
        studio_id=event.studio_id,
        revision=event.revision,
        owner_id=event.owner_id,
        name=event.name,
        timezone=event.timezone,
        currency=event.currency,
        hourly_price_minor=event.hourly_price_minor,
        minimum_hours=event.minimum_hours,
        cancellation_policy=event.cancellation_policy,
        status=event.status,
        rooms=tuple(
            Room(room.room_id, room.hourly_price_minor, room.name, room.capacity)
            for room in event.rooms
        ),
        add_ons=tuple(
            AddOn(
                add_on_id=add_on.add_on_id,
                name=add_on.name,
                pricing=add_on.pricing,
                price_minor=add_on.price_minor,
                max_quantity=add_on.max_quantity,
                required=add_on.required,
            )
            for add_on in event.add_ons
        ),
        booking_mode=event.booking_mode,
        request_window_hours=event.request_window_hours,
    )
    applied = await unit.studios.upsert(studio)
    if applied and isinstance(event, StudioSuspended):
        await _cancel_upcoming_bookings(unit, event, envelope, rules)
    return applied


async def _cancel_upcoming_bookings(
    unit: BookingUnit, event: StudioSuspended, envelope: Envelope, rules: SagaRules
) -> None:
    cancel = Cancel(CancelledBy.ADMIN, CancellationReason.STUDIO_UNAVAILABLE)
    source = replace(
        Source.of_envelope(envelope),
        actor_id=str(event.suspended_by) if event.suspended_by else None,
    )
    for booking_id in await unit.bookings.upcoming_live(event.studio_id, unit.now):
        try:
            await run_saga(unit, booking_id, cancel, source, rules)
        except IllegalTransition:
            log.info("booking %s ended before the suspension reached it", booking_id)
