"""Before committing: what a booking would cost, and what cancelling one would give back."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from booking.api.deps import BookingUnitsDep, FreeTimeDep, SettingsDep
from booking.api.preview_schemas import (
    CancellationOut,
    PolicyTermsOut,
    QuoteLine,
    QuoteOut,
)
from booking.api.request_schemas import (
    MAX_ADD_ON_CHOICES,
    MAX_ATTENDEES,
    BookingIn,
    add_ons_of_query,
)
from booking.api.schemas import PriceOut, StudioLabels
from booking.config import BookingSettings
from booking.domain.policies import (
    full_refund_until,
)
from booking.free_time import FreeTime
from booking.repositories import BookingUnits
from booking.service import booking_requests, reads
from contracts.catalog import AddOnPricing
from contracts.values import CancellationPolicy, UtcDatetime
from service_runtime.auth import CurrentUser

router = APIRouter(tags=["bookings"])


@router.get("/api/bookings/cancellation-policies")
async def cancellation_policies() -> list[PolicyTermsOut]:
    """Every cancellation policy's terms, for a studio's page (public)."""
    return [PolicyTermsOut.of(policy, None) for policy in CancellationPolicy]


QUOTE_REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {"description": "The studio takes no bookings now (not published)."}
}


@router.get("/api/bookings/quote", responses=QUOTE_REFUSALS)
async def quote_booking(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    starts_at: UtcDatetime,
    ends_at: UtcDatetime,
    units: BookingUnitsDep,
    settings: SettingsDep,
    free_time: FreeTimeDep,
    attendees: Annotated[int, Query(ge=1, le=MAX_ATTENDEES)] = 1,
    add_on: Annotated[
        list[str],
        Query(
            max_length=MAX_ADD_ON_CHOICES,
            description="An add-on chosen, as its id or id:quantity; repeat for more.",
        ),
    ] = [],  # noqa: B006 (FastAPI copies a query's default)
) -> QuoteOut:
    """The price breakdown and cancellation terms of a booking, before making it (public)."""
    request = booking_requests.BookingRequest(
        studio_id=studio_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=attendees,
        add_ons=add_ons_of_query(add_on),
    )
    return await _quote(request, units, settings, free_time)


@router.post("/api/bookings/quote", responses=QUOTE_REFUSALS)
async def quote_booking_body(
    body: BookingIn, units: BookingUnitsDep, settings: SettingsDep, free_time: FreeTimeDep
) -> QuoteOut:
    """The quote of exactly the body `POST /api/bookings` would take (public; books nothing)."""
    return await _quote(body.to_request(), units, settings, free_time)


async def _quote(
    request: booking_requests.BookingRequest,
    units: BookingUnits,
    settings: BookingSettings,
    free_time: FreeTime,
) -> QuoteOut:
    studio_id, room_id = request.studio_id, request.room_id
    starts_at, ends_at, attendees = request.starts_at, request.ends_at, request.attendees
    quote = await booking_requests.quote_booking(
        units,
        request,
        platform_fee_percent=settings.platform_fee_percent,
        max_hours=settings.max_booking_hours,
    )
    price = PriceOut.of(quote.price)
    room = quote.studio.room(room_id)
    rental = f"{room.name if room and room.name else 'Room'}, {price.hours} h"
    until = full_refund_until(
        quote.studio.cancellation_policy, booked_at=quote.quoted_at, starts_at=starts_at
    )
    return QuoteOut(
        studio_id=studio_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=attendees,
        lines=[
            QuoteLine(
                kind="rental",
                description=rental,
                quantity=price.hours,
                unit_amount_minor=price.hourly_price_minor,
                percent=None,
                amount_minor=price.subtotal_minor,
            ),
            *(
                QuoteLine(
                    kind="add_on",
                    description=_add_on_description(
                        line.name, line.pricing, line.quantity, price.hours
                    ),
                    quantity=line.quantity,
                    unit_amount_minor=line.unit_price_minor,
                    percent=None,
                    amount_minor=line.amount_minor,
                )
                for line in price.add_ons
            ),
            QuoteLine(
                kind="platform_fee",
                description=f"Platform fee ({price.platform_fee_percent} %)",
                quantity=None,
                unit_amount_minor=None,
                percent=price.platform_fee_percent,
                amount_minor=price.platform_fee_minor,
            ),
        ],
        subtotal_minor=price.subtotal_minor + price.add_ons_minor,
        total_minor=price.total_minor,
        currency=price.currency,
        price=price,
        cancellation=PolicyTermsOut.of(quote.studio.cancellation_policy, until),
        free=await free_time.is_free(studio_id, room_id, starts_at, ends_at),
        respond_by=quote.studio.respond_by(quote.quoted_at, starts_at),
        quoted_at=quote.quoted_at,
        **StudioLabels.labels(quote.studio, room_id, starts_at, ends_at),
    )


def _add_on_description(name: str, pricing: AddOnPricing, quantity: int, hours: int) -> str:
    count = f"{quantity} x " if quantity > 1 else ""
    return f"{count}{name}, {hours} h" if pricing is AddOnPricing.PER_HOUR else f"{count}{name}"


@router.get("/api/bookings/{booking_id}/cancellation")
async def cancellation_preview(
    booking_id: uuid.UUID, principal: CurrentUser, units: BookingUnitsDep, settings: SettingsDep
) -> CancellationOut:
    """What cancelling now would refund: the booker, the studio's owner and admins only."""
    preview, booking = await reads.cancellation_preview(
        units, principal, booking_id, settings.saga_rules()
    )
    return CancellationOut.of(preview, booking.status, booking.cancellation_policy)
