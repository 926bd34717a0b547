"""Request and response bodies of booking's API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from booking.domain.booking import Booking, Status
from contracts.values import CancellationPolicy


class BookingIn(BaseModel):
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class PriceOut(BaseModel):
    hourly_price_minor: int
    hours: int
    subtotal_minor: int
    platform_fee_percent: str
    platform_fee_minor: int
    total_minor: int
    currency: str


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


class BookingOut(BaseModel):
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
    hold_expires_at: datetime | None
    client_secret: str | None = Field(description="Only for the booker, while payment is due.")
    payment_error: str | None
    failure_reason: str | None
    cancelled_by: str | None
    cancellation_reason: str | None
    refund_minor: int | None
    confirmed_at: datetime | None
    completed_at: datetime | None
    ended_at: datetime | None
    version: int
    history: list[HistoryOut] | None = None

    @classmethod
    def of(
        cls, booking: Booking, *, viewer: uuid.UUID, history: list[Any] | None = None
    ) -> BookingOut:
        price = booking.price
        return cls(
            id=booking.id,
            status=booking.status,
            booker_id=booking.booker_id,
            owner_id=booking.owner_id,
            studio_id=booking.studio_id,
            room_id=booking.room_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            price=PriceOut(
                hourly_price_minor=price.hourly_price_minor,
                hours=price.hours,
                subtotal_minor=price.subtotal_minor,
                platform_fee_percent=f"{price.platform_fee_percent.normalize():f}",
                platform_fee_minor=price.platform_fee_minor,
                total_minor=price.total_minor,
                currency=price.currency,
            ),
            cancellation_policy=booking.cancellation_policy,
            requested_at=booking.requested_at,
            hold_expires_at=booking.hold_expires_at,
            client_secret=(
                booking.client_secret
                if viewer == booking.booker_id and booking.status is Status.PENDING_PAYMENT
                else None
            ),
            payment_error=booking.payment_error,
            failure_reason=booking.failure_reason,
            cancelled_by=booking.cancelled_by,
            cancellation_reason=booking.cancellation_reason,
            refund_minor=booking.refund_minor,
            confirmed_at=booking.confirmed_at,
            completed_at=booking.completed_at,
            ended_at=booking.ended_at,
            version=booking.version,
            history=None if history is None else [HistoryOut.of(row) for row in history],
        )


class BookingPage(BaseModel):
    items: list[BookingOut]
    total: int
    limit: int
    offset: int


class ActionIn(BaseModel):
    action: Literal["cancel", "complete", "no_show"]


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class MessageOut(BaseModel):
    id: uuid.UUID
    booking_id: uuid.UUID
    author_id: uuid.UUID
    author_role: str
    body: str
    sent_at: datetime

    @classmethod
    def of(cls, row: Any) -> MessageOut:
        return cls(
            id=row.id,
            booking_id=row.booking_id,
            author_id=row.author_id,
            author_role=row.author_role,
            body=row.body,
            sent_at=row.sent_at,
        )


class TimelineEntry(BaseModel):
    at: datetime
    kind: str = Field(description="received, sent, action, timer or chat")
    name: str
    status_before: str | None
    status_after: str | None
    note: str
    message_id: uuid.UUID | None
    causation_id: uuid.UUID | None
    traceparent: str | None
    trace_id: str | None
    actor_id: str | None

    @classmethod
    def of(cls, row: Any) -> TimelineEntry:
        parts = (row.traceparent or "").split("-")
        return cls(
            at=row.occurred_at,
            kind=row.kind,
            name=row.name,
            status_before=row.status_before,
            status_after=row.status_after,
            note=row.note,
            message_id=row.message_id,
            causation_id=row.causation_id,
            traceparent=row.traceparent,
            trace_id=parts[1] if len(parts) == 4 else None,
            actor_id=row.actor_id,
        )


class Timeline(BaseModel):
    booking_id: uuid.UUID
    status: Status
    entries: list[TimelineEntry]
