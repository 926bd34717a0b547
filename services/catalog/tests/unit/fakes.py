"""In-memory repositories behind catalog's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: a studio saved only at the version it was
loaded at (its slug, owner and rating left as stored), an owner's studios newest first, one
review per booking, reviews newest first with their reviewer's name, booked sessions ended for
good. Search is in fake_search.py; free time is SQL only (tests/integration)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from catalog.domain.bookings import UpcomingBooking
from catalog.domain.ratings import RatingSummary
from catalog.domain.reviews import CompletedBooking, Review
from catalog.domain.search import Cursor
from catalog.domain.studios import Studio
from catalog.repositories import (
    Bookings,
    CatalogUnit,
    FreeTimes,
    Reviews,
    Search,
    Studios,
)
from contracts import Envelope, Message
from contracts.availability import FreeTimeChanged
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork

from .fake_search import FakeSearch


@dataclass
class CatalogTables:
    studios: dict[uuid.UUID, Studio] = field(default_factory=dict)
    reviews: dict[uuid.UUID, Review] = field(default_factory=dict)
    user_names: dict[uuid.UUID, str] = field(default_factory=dict)
    completed: dict[uuid.UUID, CompletedBooking] = field(default_factory=dict)
    booked: dict[uuid.UUID, BookedSession] = field(default_factory=dict)


@dataclass(frozen=True)
class BookedSession:
    """A row of `booked_sessions`: an ended one stays, so a late confirmation stays ended."""

    studio_id: uuid.UUID
    booking: UpcomingBooking
    live: bool


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
        """Newest first: the tables keep studios in the order they were added."""
        return [s for s in reversed(self._t.studios.values()) if s.owner_id == owner_id]

    async def slugs_like(self, base: str) -> set[str]:
        studios = self._t.studios.values()
        return {s.slug for s in studios if s.slug == base or s.slug.startswith(f"{base}-")}

    async def add(self, studio: Studio) -> None:
        self._t.studios[studio.id] = studio

    async def save(self, studio: Studio, *, previous_version: int) -> bool:
        stored = self._t.studios.get(studio.id)
        if stored is None or stored.version != previous_version:
            return False
        self._t.studios[studio.id] = replace(
            studio, slug=stored.slug, owner_id=stored.owner_id, rating=stored.rating
        )
        return True

    async def save_rating(self, studio_id: uuid.UUID, rating: RatingSummary) -> None:
        self._t.studios[studio_id] = replace(self._t.studios[studio_id], rating=rating)

    async def owner_and_rating_for_update(
        self, studio_id: uuid.UUID
    ) -> tuple[uuid.UUID, RatingSummary] | None:
        studio = self._t.studios.get(studio_id)
        return None if studio is None else (studio.owner_id, studio.rating)


async def no_free_time(message: FreeTimeChanged) -> bool:
    raise NotImplementedError("free time is SQL: tests/integration/test_search_free_time.py")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _created_micros(review: Review) -> int:
    return (review.created_at - _EPOCH) // timedelta(microseconds=1)


class FakeReviews:
    def __init__(self, tables: CatalogTables) -> None:
        self._t = tables

    def _named(self, review: Review) -> Review:
        return replace(review, reviewer_name=self._t.user_names.get(review.booker_id))

    async def user_name(self, user_id: uuid.UUID) -> str | None:
        return self._t.user_names.get(user_id)

    async def review_exists_for(self, booking_id: uuid.UUID) -> bool:
        return any(r.booking_id == booking_id for r in self._t.reviews.values())

    async def add(self, review: Review) -> None:
        self._t.reviews[review.id] = review

    async def review_for_update(self, studio_id: uuid.UUID, review_id: uuid.UUID) -> Review | None:
        review = self._t.reviews.get(review_id)
        if review is None or review.studio_id != studio_id:
            return None
        return self._named(review)

    async def save_answer(self, review: Review) -> None:
        stored = self._t.reviews[review.id]
        self._t.reviews[review.id] = replace(
            stored, answer=review.answer, answered_at=review.answered_at
        )

    async def reviews_of(
        self, studio_id: uuid.UUID, *, limit: int, after: Cursor | None
    ) -> list[Review]:
        """Newest first, then by id; the cursor's key is created_at in microseconds."""
        mine = [r for r in self._t.reviews.values() if r.studio_id == studio_id]
        if after is not None:
            mine = [r for r in mine if (-_created_micros(r), r.id) > (-after.key, after.last_id)]
        mine.sort(key=lambda r: (-_created_micros(r), r.id))
        return [self._named(r) for r in mine[:limit]]


class FakeBookings:
    def __init__(self, tables: CatalogTables) -> None:
        self._t = tables

    async def add_completed_booking(self, booking: CompletedBooking) -> None:
        self._t.completed.setdefault(booking.booking_id, booking)

    async def completed_booking(self, booking_id: uuid.UUID) -> CompletedBooking | None:
        return self._t.completed.get(booking_id)

    async def add_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        self._t.booked.setdefault(booking.booking_id, BookedSession(studio_id, booking, live=True))

    async def move_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        known = self._t.booked.get(booking.booking_id)
        if known is None:
            self._t.booked[booking.booking_id] = BookedSession(studio_id, booking, live=True)
        else:
            self._t.booked[booking.booking_id] = replace(known, booking=booking)

    async def end_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None:
        known = self._t.booked.get(booking.booking_id, BookedSession(studio_id, booking, True))
        self._t.booked[booking.booking_id] = replace(known, live=False)

    async def upcoming_bookings(
        self, studio_id: uuid.UUID, *, now: datetime
    ) -> list[UpcomingBooking]:
        mine = [
            row.booking
            for row in self._t.booked.values()
            if row.studio_id == studio_id and row.live and row.booking.ends_at > now
        ]
        return sorted(mine, key=lambda b: (b.starts_at, b.booking_id))


class FakeCatalogUnit:
    def __init__(self, uow: FakeUnitOfWork[CatalogTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.studios: Studios = FakeStudios(uow.state)
        self.search: Search = FakeSearch(uow.state.studios)
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
