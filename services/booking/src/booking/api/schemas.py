"""Request and response bodies of booking's API."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from booking.domain.booking import Booking, RequestAnswer, Status
from booking.domain.pricing import AddOnLine, InvalidBookingRequest, PriceBreakdown
from booking.domain.saga.moves import movable_until
from booking.domain.studios import Studio
from booking.service.booking_requests import BookingRequest
from booking.service.moves import MoveRequest
from contracts.catalog import AddOnPricing
from contracts.values import CancellationPolicy, UtcDatetime

MAX_ATTENDEES = 1000
"""Catalog's largest room; the room's own capacity is checked against its published one."""

Attendees = Annotated[
    int, Field(ge=1, le=MAX_ATTENDEES, description="How many people come, the booker included.")
]


MAX_ADD_ON_CHOICES = 30
"""As many as a studio sells (catalog's bound)."""
MAX_ADD_ON_QUANTITY = 100


class AddOnChoice(BaseModel):
    add_on_id: uuid.UUID
    quantity: Annotated[int, Field(ge=0, le=MAX_ADD_ON_QUANTITY, description="0 for none.")] = 1


class BookingIn(BaseModel):
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    attendees: Attendees = 1
    add_ons: list[AddOnChoice] = Field(
        default=[],
        max_length=MAX_ADD_ON_CHOICES,
        description="Extras the studio sells; its required ones are added whatever is chosen.",
    )

    @field_validator("add_ons")
    @classmethod
    def _each_once(cls, add_ons: list[AddOnChoice]) -> list[AddOnChoice]:
        if len({choice.add_on_id for choice in add_ons}) != len(add_ons):
            raise ValueError("each add-on may be chosen once")
        return add_ons

    def to_request(self) -> BookingRequest:
        return BookingRequest(
            studio_id=self.studio_id,
            room_id=self.room_id,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            attendees=self.attendees,
            add_ons={choice.add_on_id: choice.quantity for choice in self.add_ons},
        )


def add_ons_of_query(values: list[str]) -> dict[uuid.UUID, int]:
    """Add-ons given in a query as `id` or `id:quantity`, each once."""
    chosen: dict[uuid.UUID, int] = {}
    for value in values:
        add_on_id, _, quantity = value.partition(":")
        try:
            choice = AddOnChoice(add_on_id=add_on_id, quantity=quantity or 1)
        except ValueError:
            raise InvalidBookingRequest(
                f"add_on {value[:80]!r} is not an add-on id, or id:quantity with a quantity "
                f"from 0 to {MAX_ADD_ON_QUANTITY}",
                field="add_on",
            ) from None
        if choice.add_on_id in chosen:
            raise InvalidBookingRequest("each add-on may be chosen once", field="add_on")
        chosen[choice.add_on_id] = choice.quantity
    return chosen


class AddOnLineOut(BaseModel):
    add_on_id: uuid.UUID
    name: str
    pricing: AddOnPricing
    unit_price_minor: int = Field(description="Per hour, per booking or per item, by pricing.")
    quantity: int
    amount_minor: int

    @classmethod
    def of(cls, line: AddOnLine) -> AddOnLineOut:
        return cls(**vars(line))


class PriceOut(BaseModel):
    hourly_price_minor: int
    hours: int
    subtotal_minor: int
    platform_fee_percent: str
    platform_fee_minor: int
    total_minor: int
    currency: str
    add_ons: list[AddOnLineOut] = Field(description="The add-ons bought, as sold then.")
    add_ons_minor: int = Field(description="The add-ons' sum; the fee is on it and the rental.")

    @classmethod
    def of(cls, price: PriceBreakdown) -> PriceOut:
        return cls(
            hourly_price_minor=price.hourly_price_minor,
            hours=price.hours,
            subtotal_minor=price.subtotal_minor,
            platform_fee_percent=_percent(price.platform_fee_percent),
            platform_fee_minor=price.platform_fee_minor,
            total_minor=price.total_minor,
            currency=price.currency,
            add_ons=[AddOnLineOut.of(line) for line in price.add_ons],
            add_ons_minor=price.add_ons_minor,
        )


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


class StudioLabels(BaseModel):
    """The booking's studio and room as people know them, and its times in the studio's zone,
    from booking's read model of catalog's studios (None where the read model has no name)."""

    studio_name: str | None = Field(description="The studio's current name.")
    room_name: str | None = Field(description="The room's current name; None if it is gone.")
    studio_timezone: str | None = Field(description="The studio's IANA time zone.")
    local_starts_at: datetime | None = Field(
        description="starts_at in the studio's time zone (with its UTC offset)."
    )
    local_ends_at: datetime | None = Field(
        description="ends_at in the studio's time zone (with its UTC offset)."
    )

    @classmethod
    def labels(
        cls, studio: Studio | None, room_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> dict[str, Any]:
        if studio is None:
            return dict.fromkeys(cls.model_fields)
        zone = ZoneInfo(studio.timezone)
        room = studio.room(room_id)
        return {
            "studio_name": studio.name,
            "room_name": room.name if room else None,
            "studio_timezone": studio.timezone,
            "local_starts_at": starts_at.astimezone(zone),
            "local_ends_at": ends_at.astimezone(zone),
        }


class HistoryOut(BaseModel):
    at: datetime
    kind: str
    name: str
    status_before: str | None
    status_after: str | None
    note: str

    @classmethod
    def of(cls, row: Any) -> HistoryOut:
        return cls(
            at=row.occurred_at,
            kind=row.kind,
            name=row.name,
            status_before=row.status_before,
            status_after=row.status_after,
            note=row.note,
        )


class MoveOut(BaseModel):
    """A move to another room or time while it runs, or while the booker has to agree to it."""

    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    requested_by: uuid.UUID
    requested_at: datetime
    answer_by: datetime | None = Field(
        description="A time the studio's owner proposed: until when the booker may accept it "
        "(accept_move) or decline it; None once the move runs."
    )


class BookingOut(StudioLabels):
    id: uuid.UUID
    status: Status
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    price: PriceOut
    cancellation_policy: CancellationPolicy
    requested_at: datetime
    attendees: int
    respond_by: datetime | None = Field(
        description="For a request to book: when the owner's answer is due; None when instant."
    )
    request_answer: RequestAnswer | None = Field(
        description="accepted, declined or not_answered; None while a request waits."
    )
    hold_expires_at: datetime | None
    client_secret: str | None = Field(description="Only for the booker, while payment is due.")
    payment_error: str | None
    failure_reason: str | None
    failure_detail: str | None = Field(description="Why the booking failed, in words.")
    cancelled_by: str | None
    cancellation_reason: str | None
    refund_minor: int | None = Field(
        description="What the booker gets back by the cancellation policy (or in full on failure)."
    )
    refunded_minor: int = Field(description="What payments reports as refunded so far.")
    confirmed_at: datetime | None
    completed_at: datetime | None
    ended_at: datetime | None
    movable_until: datetime | None = Field(
        description="Until when the booker may move a confirmed booking to another time or "
        "room (while cancelling would refund in full); None when it cannot be moved."
    )
    move: MoveOut | None = Field(description="The move under way, if any.")
    move_failure: str | None = Field(description="Why the last move did not happen.")
    version: int
    history: list[HistoryOut] | None = None

    @classmethod
    def of(
        cls,
        booking: Booking,
        *,
        viewer: uuid.UUID,
        studio: Studio | None,
        history: list[Any] | None = None,
    ) -> BookingOut:
        return cls(
            id=booking.id,
            status=booking.status,
            booker_id=booking.booker_id,
            owner_id=booking.owner_id,
            studio_id=booking.studio_id,
            room_id=booking.room_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            price=PriceOut.of(booking.price),
            cancellation_policy=booking.cancellation_policy,
            requested_at=booking.requested_at,
            attendees=booking.attendees,
            respond_by=booking.respond_by,
            request_answer=booking.request_answer,
            hold_expires_at=booking.hold_expires_at,
            client_secret=(
                booking.client_secret
                if viewer == booking.booker_id and booking.status is Status.PENDING_PAYMENT
                else None
            ),
            payment_error=booking.payment_error,
            failure_reason=booking.failure_reason,
            failure_detail=booking.failure_detail,
            cancelled_by=booking.cancelled_by,
            cancellation_reason=booking.cancellation_reason,
            refund_minor=booking.refund_minor,
            refunded_minor=booking.refunded_minor,
            confirmed_at=booking.confirmed_at,
            completed_at=booking.completed_at,
            ended_at=booking.ended_at,
            movable_until=movable_until(booking),
            move=None if booking.move is None else MoveOut(**asdict(booking.move)),
            move_failure=booking.move_failure,
            version=booking.version,
            history=None if history is None else [HistoryOut.of(row) for row in history],
            **StudioLabels.labels(studio, booking.room_id, booking.starts_at, booking.ends_at),
        )


class BookingPage(BaseModel):
    items: list[BookingOut]
    total: int
    limit: int
    offset: int


class ActionIn(BaseModel):
    action: Literal[
        "cancel",
        "accept",
        "decline",
        "complete",
        "no_show",
        "reschedule",
        "accept_move",
        "decline_move",
    ] = Field(
        description="accept and decline answer a request to book (the studio's owner or an "
        "admin); complete and no_show are theirs too; anyone on the booking may cancel; the "
        "booker (or an admin) may reschedule a confirmed booking to starts_at..ends_at, in "
        "room_id (default: the same room); the studio's owner's reschedule proposes the time, "
        "which the booker answers with accept_move or decline_move."
    )
    room_id: uuid.UUID | None = None
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None

    def move_request(self) -> MoveRequest:
        """The move asked for; InvalidBookingRequest naming a time that is missing."""
        if self.starts_at is None:
            raise InvalidBookingRequest("starts_at is required to reschedule", field="starts_at")
        if self.ends_at is None:
            raise InvalidBookingRequest("ends_at is required to reschedule", field="ends_at")
        return MoveRequest(room_id=self.room_id, starts_at=self.starts_at, ends_at=self.ends_at)
