"""The response bodies of booking's API: a booking as its people see it, and a page of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from booking.domain.booking import Booking, RequestAnswer, Status
from booking.domain.pricing import AddOnLine, PriceBreakdown
from booking.domain.saga.move_rules import movable_until
from booking.domain.studios import Studio
from contracts.catalog import AddOnPricing
from contracts.values import CancellationPolicy


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
    total_minor: int = Field(description="The booking's price at the new room and time.")
    amount_due_minor: int | None = Field(
        description="A dearer time: the difference the booker pays (in the price's currency), "
        "a payment of its own, before the new time is booked; None when it costs no more, or "
        "once it is authorized."
    )
    pay_by: datetime | None = Field(
        description="Until when the new time is held for the difference to be paid."
    )
    client_secret: str | None = Field(
        description="Only for the booker, while the difference is due: confirm the card with it."
    )
    payment_error: str | None = Field(description="Why the last try to pay the difference failed.")

    @classmethod
    def of(cls, booking: Booking, viewer: uuid.UUID) -> MoveOut:
        move = booking.move
        assert move is not None
        due = move.hold_expires_at is not None and move.authorized_at is None
        return cls(
            room_id=move.room_id,
            starts_at=move.starts_at,
            ends_at=move.ends_at,
            requested_by=move.requested_by,
            requested_at=move.requested_at,
            answer_by=move.answer_by,
            total_minor=move.price.total_minor,
            amount_due_minor=booking.move_extra_minor if due else None,
            pay_by=move.hold_expires_at if due else None,
            client_secret=move.client_secret if due and viewer == booking.booker_id else None,
            payment_error=move.payment_error if due else None,
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
            move=None if booking.move is None else MoveOut.of(booking, viewer),
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
