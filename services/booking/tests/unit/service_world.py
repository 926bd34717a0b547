"""A booking service on in-memory fakes, at a fixed time, with a published studio and people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from booking.domain.booking import Booking
from booking.domain.studios import Room, Studio
from booking.service import booking_requests
from booking.service.booking_requests import BookingRequest
from contracts.catalog import StudioStatus
from contracts.identity import Role
from contracts.values import CancellationPolicy
from service_runtime.auth import Principal

from .conftest import NOW, RULES
from .fakes import FakeBookingUnits

FEE = Decimal(10)
MAX_HOURS = 12
ROOM_CAPACITY = 6


def person(role: Role | None = Role.BOOKER) -> Principal:
    return Principal(user_id=uuid.uuid4(), role=role, claims={})


@dataclass
class World:
    units: FakeBookingUnits = field(default_factory=lambda: FakeBookingUnits(clock=lambda: NOW))
    owner: Principal = field(default_factory=lambda: person(Role.OWNER))
    booker: Principal = field(default_factory=person)
    admin: Principal = field(default_factory=lambda: person(Role.ADMIN))
    stranger: Principal = field(default_factory=person)
    studio: Studio | None = None

    def __post_init__(self) -> None:
        self.studio = Studio(
            studio_id=uuid.uuid4(),
            revision=1,
            owner_id=self.owner.user_id,
            name="Blue Room Studios",
            timezone="Europe/Berlin",
            currency="EUR",
            hourly_price_minor=5000,
            minimum_hours=1,
            cancellation_policy=CancellationPolicy.FLEXIBLE,
            status=StudioStatus.PUBLISHED,
            rooms=(Room(uuid.uuid4(), None, "Live room", capacity=ROOM_CAPACITY),),
        )
        self.units.tables.studios[self.studio.studio_id] = self.studio

    @property
    def the_studio(self) -> Studio:
        assert self.studio is not None
        return self.studio

    def request(
        self, *, starts_in: timedelta = timedelta(days=3), hours: int = 2
    ) -> BookingRequest:
        starts_at = NOW + starts_in
        return BookingRequest(
            studio_id=self.the_studio.studio_id,
            room_id=self.the_studio.rooms[0].room_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
        )

    async def book(
        self,
        request: BookingRequest | None = None,
        *,
        by: Principal | None = None,
        key: str | None = None,
    ) -> Booking:
        booking, _ = await booking_requests.request_booking(
            self.units,
            principal=by or self.booker,
            request=request or self.request(),
            idempotency_key=key,
            platform_fee_percent=FEE,
            max_hours=MAX_HOURS,
            rules=RULES,
        )
        return booking
