"""What catalog's use cases need from storage, as Protocols: `db/` implements them on
PostgreSQL, the fast tests with in-memory fakes. A use case sees one `CatalogUnit`: the
repositories of one transaction, its clock reading and its outbox."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from catalog.domain.bookings import UpcomingBooking
from catalog.domain.ratings import RatingSummary
from catalog.domain.reviews import CompletedBooking, Review
from catalog.domain.search import Cursor, StudioSearch
from catalog.domain.studios import Studio
from contracts import Envelope, Message
from contracts.availability import FreeTimeChanged
from service_runtime.clock import Clock


@dataclass(frozen=True)
class StudioHit:
    """One search result: the studio's row, how far it is, and its sort key."""

    row: Any
    distance_km: float | None
    key: float | int


class Studios(Protocol):
    async def studio_by(
        self,
        *,
        studio_id: uuid.UUID | None = None,
        slug: str | None = None,
        for_update: bool = False,
    ) -> Studio | None:
        """A studio with its rooms and photos, by id or slug; locked for the transaction if
        asked."""
        ...

    async def studios_of_owner(self, owner_id: uuid.UUID) -> list[Studio]: ...

    async def slugs_like(self, base: str) -> set[str]:
        """The slugs taken that `base` or `base-<n>` would collide with."""
        ...

    async def add(self, studio: Studio) -> None: ...

    async def save(self, studio: Studio, *, previous_version: int) -> bool:
        """Store the studio if it is still at `previous_version`; False when it is not."""
        ...

    async def save_rating(self, studio_id: uuid.UUID, rating: RatingSummary) -> None: ...

    async def owner_and_rating_for_update(
        self, studio_id: uuid.UUID
    ) -> tuple[uuid.UUID, RatingSummary] | None: ...


class Search(Protocol):
    async def __call__(self, search: StudioSearch) -> list[StudioHit]:
        """Up to `search.limit + 1` published studios after the cursor, in the search's order."""
        ...


class FreeTimes(Protocol):
    async def __call__(self, message: FreeTimeChanged) -> bool:
        """Keep the studio's free time as the message says, unless a newer one is kept;
        whether it was kept."""
        ...


class Reviews(Protocol):
    async def user_name(self, user_id: uuid.UUID) -> str | None: ...

    async def review_exists_for(self, booking_id: uuid.UUID) -> bool: ...

    async def add(self, review: Review) -> None: ...

    async def review_for_update(
        self, studio_id: uuid.UUID, review_id: uuid.UUID
    ) -> Review | None: ...

    async def save_answer(self, review: Review) -> None: ...

    async def reviews_of(
        self, studio_id: uuid.UUID, *, limit: int, after: Cursor | None
    ) -> list[Review]:
        """A studio's reviews, newest first."""
        ...


class Bookings(Protocol):
    async def add_completed_booking(self, booking: CompletedBooking) -> None: ...

    async def completed_booking(self, booking_id: uuid.UUID) -> CompletedBooking | None: ...

    async def add_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None: ...

    async def move_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None: ...

    async def end_booked_session(self, studio_id: uuid.UUID, booking: UpcomingBooking) -> None: ...

    async def upcoming_bookings(
        self, studio_id: uuid.UUID, *, now: datetime
    ) -> list[UpcomingBooking]:
        """The studio's confirmed bookings that have not ended by `now`, soonest first."""
        ...


class CatalogUnit(Protocol):
    """One transaction of catalog: its repositories, its clock reading, its outbox."""

    studios: Studios
    search: Search
    replace_free_time: FreeTimes
    reviews: Reviews
    bookings: Bookings
    now: datetime

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope: ...


class CatalogUnits(Protocol):
    @property
    def clock(self) -> Clock: ...

    def begin(self) -> AbstractAsyncContextManager[CatalogUnit]: ...
