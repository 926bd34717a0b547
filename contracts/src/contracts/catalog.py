"""Events published by the catalog service.

Every studio event carries the whole studio as booking and availability need it
(event-carried state), so a consumer builds its read model from any one of them.
Room changes are published as StudioUpdated with the new list of rooms; a studio that is
listed again or reinstated is announced by StudioPublished. `revision`
grows with every change of the studio: a consumer keeps the highest revision it has
seen and ignores older ones, since the bus does not order messages.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.envelope import Message
from contracts.values import (
    CancellationPolicy,
    CurrencyCode,
    IanaTimezone,
    MinorUnits,
    Money,
    UtcDatetime,
)


class StudioStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNLISTED = "unlisted"
    SUSPENDED = "suspended"


class RoomSnapshot(BaseModel):
    """A bookable room of a studio, as catalog last published it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    room_id: uuid.UUID
    name: str
    capacity: Annotated[int, Field(ge=1)]
    hourly_price_minor: MinorUnits | None = Field(
        default=None, description="Overrides the studio's hourly price; None uses the studio's."
    )


class BookingMode(StrEnum):
    """Whether a studio's bookings confirm once paid, or wait for the owner to accept."""

    INSTANT = "instant"
    REQUEST = "request"


MAX_REQUEST_WINDOW_HOURS = 72
"""The longest an owner may take to answer a request: well inside a card authorization's life."""


class AddOnPricing(StrEnum):
    """How an add-on's price counts: per hour of the booking, once per booking, or per item."""

    PER_HOUR = "per_hour"
    PER_BOOKING = "per_booking"
    PER_ITEM = "per_item"


class AddOnSnapshot(BaseModel):
    """An extra the studio sells with a booking (an engineer, a backline kit, a cleaning fee)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    add_on_id: uuid.UUID
    name: str
    pricing: AddOnPricing
    price_minor: MinorUnits = Field(description="Per hour, per booking or per item, by pricing.")
    max_quantity: Annotated[int, Field(ge=1)] = 1
    required: bool = Field(
        default=False, description="Part of every booking (a cleaning fee), at least one."
    )


class _StudioEvent(Message):
    """The studio as catalog holds it after the change the event announces."""

    studio_id: uuid.UUID
    revision: Annotated[int, Field(ge=1)]
    slug: str
    owner_id: uuid.UUID
    name: str
    timezone: IanaTimezone
    currency: CurrencyCode
    hourly_price_minor: MinorUnits
    minimum_hours: Annotated[int, Field(ge=1)]
    maximum_hours: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="The longest booking the studio takes, in hours (at least minimum_hours); "
        "None in events from before catalog announced it.",
    )
    cancellation_policy: CancellationPolicy
    rooms: list[RoomSnapshot]
    add_ons: list[AddOnSnapshot] = Field(
        default_factory=list, description="The studio's add-ons; empty in older events."
    )
    status: StudioStatus
    changed_at: UtcDatetime
    booking_mode: BookingMode = Field(
        default=BookingMode.INSTANT, description="instant in events from before requests."
    )
    request_window_hours: Annotated[int, Field(ge=1, le=MAX_REQUEST_WINDOW_HOURS)] = Field(
        default=24, description="How long the owner has to answer a request to book."
    )
    address: str | None = Field(
        default=None,
        description="Street and number, for the people coming; None in events from before "
        "catalog announced it.",
    )
    city: str | None = Field(default=None, description="None in older events.")
    country: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code; None in older events."
    )

    @model_validator(mode="after")
    def _room_ids_unique(self) -> Self:
        room_ids = [room.room_id for room in self.rooms]
        if len(room_ids) != len(set(room_ids)):
            raise ValueError("room_id must be unique within a studio")
        return self

    def room(self, room_id: uuid.UUID) -> RoomSnapshot | None:
        """The room with this id, or None if the studio has no such room."""
        return next((room for room in self.rooms if room.room_id == room_id), None)

    def hourly_price(self, room_id: uuid.UUID) -> Money:
        """The hourly price of a room: its own override, else the studio's price."""
        room = self.room(room_id)
        if room is None:
            raise KeyError(room_id)
        amount = (
            self.hourly_price_minor if room.hourly_price_minor is None else room.hourly_price_minor
        )
        return Money(amount_minor=amount, currency=self.currency)


class StudioPublished(_StudioEvent):
    """Catalog, when an owner publishes a studio: it becomes searchable and bookable."""

    message_type: ClassVar[str] = "catalog.studio_published"
    routing_key: ClassVar[str] = "catalog.studio.published"


class StudioUpdated(_StudioEvent):
    """Catalog, when a studio's details, prices, policy or rooms change."""

    message_type: ClassVar[str] = "catalog.studio_updated"
    routing_key: ClassVar[str] = "catalog.studio.updated"


class StudioUnlisted(_StudioEvent):
    """Catalog, when an owner takes a studio off the market: no new bookings."""

    message_type: ClassVar[str] = "catalog.studio_unlisted"
    routing_key: ClassVar[str] = "catalog.studio.unlisted"


class StudioSuspended(_StudioEvent):
    """Catalog, when an admin suspends a studio: no new bookings until it is reinstated."""

    message_type: ClassVar[str] = "catalog.studio_suspended"
    routing_key: ClassVar[str] = "catalog.studio.suspended"

    reason: str
    suspended_by: uuid.UUID | None = Field(default=None, description="The admin who suspended it.")
