"""In-memory repositories behind catalog's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: a studio saved only at the version it was
loaded at, one review per booking, booked sessions kept until they end. Search is PostgreSQL's
full text and distance: its tests run on PostgreSQL (tests/integration/test_search.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from catalog.domain.bookings import UpcomingBooking
from catalog.domain.ratings import RatingSummary
from catalog.domain.reviews import CompletedBooking, Review
from catalog.domain.search import Cursor, StudioSearch
from catalog.domain.studios import Studio
from catalog.repositories import (
    Bookings,
    CatalogUnit,
    FreeTimes,
    Reviews,
    Search,
    StudioHit,
    Studios,
)
from contracts import Envelope, Message
from contracts.availability import FreeTimeChanged
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork


@dataclass
class CatalogTables:
    studios: dict[uuid.UUID, Studio] = field(default_factory=dict)
    reviews: dict[uuid.UUID, Review] = field(default_factory=dict)
    user_names: dict[uuid.UUID, str] = field(default_factory=dict)
    completed: dict[uuid.UUID, CompletedBooking] = field(default_factory=dict)
    booked: dict[uuid.UUID, tuple[uuid.UUID, UpcomingBooking]] = field(default_factory=dict)


class FakeStudios:
    def __init__(self, tables: CatalogTables) -> None:
        self._t = tables

    async def studio_by(
        self,
        *,
        studio_id: uuid.UUID | None = None,
        slug: str | None = None,
        for_update: bool = False,
    ) -> Studio | None:
        found = [
            s
            for s in self._t.studios.values()
            if studio_id in (s.id, None) and slug in (s.slug, None)
        ]
        return found[0] if found else None

    async def studios_of_owner(self, owner_id: uuid.UUID) -> list[Studio]:
        return [s for s in self._t.studios.values() if s.owner_id == owner_id]

    async def slugs_like(self, base: str) -> set[str]:
        return {s.slug for s in self._t.studios.values() if s.slug.startswith(base)}

    async def add(self, studio: Studio) -> None:
        self._t.studios[studio.id] = studio

    async def save(self, studio: Studio, *, previous_version: int) -> bool:
        stored = self._t.studios.get(studio.id)
        if stored is None or stored.version != previous_version:
            return False
        self._t.studios[studio.id] = studio
        return True

    async def save_rating(self, studio_id: uuid.UUID, rating: RatingSummary) -> None:
        self._t.studios[studio_id] = replace(self._t.studios[studio_id], rating=rating)

    async def owner_and_rating_for_update(
        self, studio_id: uuid.UUID
    ) -> tuple[uuid.UUID, RatingSummary] | None:
        studio = self._t.studios.get(studio_id)
        return None if studio is None else (studio.owner_id, studio.rating)


async def no_search(search: StudioSearch) -> list[StudioHit]:
    raise NotImplementedError("search is SQL: tests/integration/test_search.py runs it")


async def no_free_time(message: FreeTimeChanged) -> bool:
    raise NotImplementedError("free time is SQL: tests/integration/test_search_free_time.py")


class FakeReviews:
    def __init__(self, tables: CatalogTables) -> None:
        self._t = tables

    async def user_name(self, user_id: uuid.UUID) -> str | None:
        return self._t.user_names.get(user_id)

    async def review_exists_for(self, booking_id: uuid.UUID) -> bool:
        return any(r.booking_id == booking_id for r in self._t.reviews.values())

    async def add(self, review: Review) -> None:
        self._t.reviews[review.id] = review

    async def review_for_update(self, studio_id: uuid.UUID, review_id: uuid.UUID) -> Review | None:
        review = self._t.reviews.get(review_id)
        return review if review is not None and review.studio_id == studio_id else None

    async def save_answer(self, review: Review) -> None:
        self._t.reviews[review.id] = review

    async def reviews_of(
        self, studio_id: uuid.UUID, *, limit: int, after: Cursor | None
    ) -> list[Review]:
        assert after is None, "paging reviews is SQL's: tests/integration/test_reviews.py"
        mine = [r for r in self._t.reviews.values() if r.studio_id == studio_id]
        return sorted(mine, key=lambda r: r.created_at, reverse=True)[:limit]


class FakeBookings:
    def __init__(self, tables: CatalogTables) -> None:
        self._t = tables

    async def add_completed_booking(self, booking: CompletedBooking) -> None:
        self._t.completed.setdefault(booking.booking_id, booking)

    async def completed_booking(self, booking_id: uuid.UUID) -> CompletedBooking | None:
        return self._t.completed.get(booking_id)

    async def add_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        self._t.booked[booking.booking_id] = (studio_id, booking)

    async def end_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        self._t.booked.pop(booking.booking_id, None)

    async def upcoming_bookings(
        self, studio_id: uuid.UUID, *, now: datetime
    ) -> list[UpcomingBooking]:
        mine = [b for s, b in self._t.booked.values() if s == studio_id and b.ends_at > now]
        return sorted(mine, key=lambda b: (b.starts_at, b.booking_id))


class FakeCatalogUnit:
    def __init__(self, uow: FakeUnitOfWork[CatalogTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.studios: Studios = FakeStudios(uow.state)
        self.search: Search = no_search
        self.replace_free_time: FreeTimes = no_free_time
        self.reviews: Reviews = FakeReviews(uow.state)
        self.bookings: Bookings = FakeBookings(uow.state)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)


class FakeCatalogUnits:
    """Catalog's units of work over in-memory tables: `tables` is what committed, `outbox`
    what committed units published."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self.outbox = FakeUnitsOfWork(CatalogTables(), clock=clock)

    @property
    def clock(self) -> Clock:
        return self.outbox.clock

    @property
    def tables(self) -> CatalogTables:
        return self.outbox.state

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[CatalogUnit]:
        async with self.outbox.begin() as uow:
            yield FakeCatalogUnit(uow)
