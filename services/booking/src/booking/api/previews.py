"""Before committing: what a booking would cost, and what cancelling one would give back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from booking.api.deps import BookingUnitsDep, FreeTimeDep, SettingsDep
from booking.api.request_schemas import (
    MAX_ADD_ON_CHOICES,
    MAX_ATTENDEES,
    BookingIn,
    add_ons_of_query,
)
from booking.api.schemas import PriceOut, StudioLabels
from booking.config import BookingSettings
from booking.domain.booking import Status
from booking.domain.cancellation import CancellationPreview
from booking.domain.policies import (
    GRACE_MIN_NOTICE,
    GRACE_PERIOD,
    REFUND_SCHEDULES,
    RefundRule,
    RuleKind,
    full_refund_until,
)
from booking.free_time import FreeTime
from booking.repositories import BookingUnits
from booking.service import booking_requests, reads
from contracts.booking import CancelledBy
from contracts.catalog import AddOnPricing
from contracts.values import CancellationPolicy, UtcDatetime
from service_runtime.auth import CurrentUser

router = APIRouter(tags=["bookings"])

HOUR = timedelta(hours=1)


def _hours(span: timedelta) -> int:
    return span // HOUR


class RefundStepOut(BaseModel):
    min_notice_hours: int = Field(description="Cancelling at least this long before the start …")
    percent: int = Field(description="… refunds this share of the total (platform fee included).")


class PolicyTermsOut(BaseModel):
    """A cancellation policy's terms, from booking's one refund table."""

    policy: CancellationPolicy
    steps: list[RefundStepOut] = Field(
        description="Longest notice first; the first step whose notice the cancellation meets "
        "applies. Cancelling after the start refunds nothing."
    )
    grace_period_hours: int = Field(
        description="Cancelling within this long after booking refunds in full …"
    )
    grace_min_notice_hours: int = Field(
        description="… when the session starts more than this long after the cancellation."
    )
    by_owner_or_admin_percent: int = Field(description="An owner's or admin's cancellation.")
    full_refund_until: datetime | None = Field(
        description="The last instant the booker's cancellation refunds in full (for a booking "
        "made now, in a quote); None when no such instant is still to come, or in the list of "
        "policies."
    )

    @classmethod
    def of(cls, policy: CancellationPolicy, until: datetime | None) -> PolicyTermsOut:
        return cls(
            policy=policy,
            steps=[
                RefundStepOut(min_notice_hours=_hours(step.notice), percent=step.percent)
                for step in REFUND_SCHEDULES[policy]
            ],
            grace_period_hours=_hours(GRACE_PERIOD),
            grace_min_notice_hours=_hours(GRACE_MIN_NOTICE),
            by_owner_or_admin_percent=100,
            full_refund_until=until,
        )


class QuoteLine(BaseModel):
    kind: Literal["rental", "add_on", "platform_fee"]
    description: str
    quantity: int | None = Field(description="Hours for the rental; how many of an add-on.")
    unit_amount_minor: int | None = Field(
        description="The hourly price for the rental; an add-on's price per hour, booking or item."
    )
    percent: str | None = Field(description="The platform fee's percentage of the subtotal.")
    amount_minor: int


class QuoteOut(StudioLabels):
    """What POST /api/bookings with the same studio, room and times would charge now."""

    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    attendees: int
    lines: list[QuoteLine]
    subtotal_minor: int = Field(description="The rental and add-ons, before the platform fee.")
    total_minor: int
    currency: str
    price: PriceOut = Field(description="The breakdown as the booking will snapshot it.")
    cancellation: PolicyTermsOut
    free: bool | None = Field(
        description="Whether the room can be booked then, as availability answers now (nothing "
        "is held: another booker may take it first); None when availability could not say."
    )
    respond_by: datetime | None = Field(
        description="The studio accepts each booking itself: one made now waits for the owner's "
        "answer until then (declined or unanswered, everything goes back); None books instantly."
    )
    quoted_at: datetime


class RefundRuleOut(BaseModel):
    kind: RuleKind = Field(
        description="by_owner_or_admin (everything back), grace_period (within the grace "
        "period after booking), notice (a step of the schedule), after_start (nothing back)"
    )
    percent: int
    min_notice_hours: int | None = Field(description="The step's notice, for kind notice.")

    @classmethod
    def of(cls, rule: RefundRule) -> RefundRuleOut:
        notice = None if rule.notice is None else _hours(rule.notice)
        return cls(kind=rule.kind, percent=rule.percent, min_notice_hours=notice)


class CancellationOut(BaseModel):
    """What the caller's cancellation (PATCH action cancel) would do if sent now."""

    booking_id: uuid.UUID
    status: Status
    at: datetime = Field(description="The instant the preview was computed for.")
    cancelled_by: CancelledBy = Field(description="Who the caller's cancellation is by.")
    cancellable: bool
    refusal: str | None = Field(description="Why it cannot be cancelled now, in words.")
    charged_minor: int = Field(description="Charged or authorized so far: 0 before payment.")
    refund_minor: int = Field(description="What the booker would get back.")
    kept_minor: int = Field(description="What would be kept (paid out to the owner).")
    currency: str
    policy: CancellationPolicy
    rule: RefundRuleOut | None = Field(
        description="The policy's rule that decides the refund; None before the booking is "
        "confirmed (everything charged comes back) or when it cannot be cancelled."
    )
    full_refund_until: datetime | None = Field(
        description="For the booker: the last instant a cancellation refunds in full, if it is "
        "still to come."
    )

    @classmethod
    def of(
        cls, preview: CancellationPreview, status: Status, policy: CancellationPolicy
    ) -> CancellationOut:
        return cls(
            booking_id=preview.booking_id,
            status=status,
            at=preview.at,
            cancelled_by=preview.cancelled_by,
            cancellable=preview.cancellable,
            refusal=preview.refusal,
            charged_minor=preview.charged_minor,
            refund_minor=preview.refund_minor,
            kept_minor=preview.kept_minor,
            currency=preview.currency,
            policy=policy,
            rule=None if preview.rule is None else RefundRuleOut.of(preview.rule),
            full_refund_until=preview.full_refund_until,
        )


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
