"""The bodies and queries a booking is asked with: a new booking, an action on one."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from booking.domain.pricing import InvalidBookingRequest
from booking.service.booking_requests import BookingRequest
from booking.service.moves import MoveRequest
from contracts.values import UtcDatetime

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
