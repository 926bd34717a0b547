"""Catalog's use cases: each runs in one unit of work and records the events it causes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.db import bookings as booking_db
from catalog.db import reviews as review_db
from catalog.db import studios as studio_db
from catalog.domain import bookings as booking_rules
from catalog.domain import reviews as review_rules
from catalog.domain import studios as rules
from catalog.domain.bookings import UpcomingBooking
from catalog.domain.reviews import AlreadyReviewed, CompletedBooking, Review, ReviewNotFound
from catalog.domain.search import Cursor, InvalidSearch, StudioSearch
from catalog.domain.slugs import could_be_slug, slugify, unique_slug
from catalog.domain.studios import Actor, Room, StaleVersion, Studio, StudioNotFound
from catalog.studio_search import StudioHit, search_studios
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
)
from contracts.catalog import (
    RoomSnapshot,
    StudioPublished,
    StudioStatus,
    StudioSuspended,
    StudioUnlisted,
    StudioUpdated,
)
from contracts.envelope import Message
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

REVIEWS_ORDER = "reviews_newest"
MAX_REVIEWER_NAME = 200  # identity's bound on a person's name; a longer one is cut, not refused


def reviewer_name(name: str) -> str:
    """What catalog keeps of identity's name of a user, for the reviews they write."""
    return name[:MAX_REVIEWER_NAME]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def studio_event(
    before: Studio | None, after: Studio, *, changed_at: datetime, actor: Actor | None = None
) -> Message | None:
    """The event announcing a change: by the status it reached, else an update once announced."""
    fields: dict[str, Any] = {
        "studio_id": after.id,
        "revision": after.version,
        "slug": after.slug,
        "owner_id": after.owner_id,
        "name": after.name,
        "timezone": after.timezone,
        "currency": after.currency,
        "hourly_price_minor": after.hourly_price_minor,
        "minimum_hours": after.minimum_hours,
        "maximum_hours": after.maximum_hours,
        "cancellation_policy": after.cancellation_policy,
        "rooms": [
            RoomSnapshot(
                room_id=room.id,
                name=room.name,
                capacity=room.capacity,
                hourly_price_minor=room.hourly_price_minor,
            )
            for room in after.rooms
        ],
        "status": after.status,
        "changed_at": changed_at,
        "address": after.address,
        "city": after.city,
        "country": after.country,
    }
    status_changed = before is None or before.status is not after.status
    if status_changed and after.status is StudioStatus.PUBLISHED:
        return StudioPublished(**fields)
    if status_changed and after.status is StudioStatus.UNLISTED:
        return StudioUnlisted(**fields)
    if status_changed and after.status is StudioStatus.SUSPENDED:
        return StudioSuspended(
            **fields,
            reason=after.suspension_reason or "",
            suspended_by=actor.user_id if actor else None,
        )
    if after.announced or (before is not None and before.announced):
        return StudioUpdated(**fields)
    return None


async def create_studio(
    units: UnitsOfWork, actor: Actor, details: Mapping[str, Any], rooms: list[Room]
) -> Studio:
    """A new draft studio of the actor's, its slug made from its name once and for all."""
    async with units.begin() as uow:
        slug = unique_slug(
            details["name"], await studio_db.slugs_like(uow.session, slugify(details["name"]))
        )
        studio = rules.validate(
            Studio(
                id=uuid.uuid4(), owner_id=actor.user_id, slug=slug, rooms=tuple(rooms), **details
            )
        )
        await studio_db.add_studio(uow.session, studio)
    return studio


async def _change(
    units: UnitsOfWork,
    actor: Actor,
    studio_id: uuid.UUID,
    expected_version: int | None,
    change: Callable[[Studio], Studio],
) -> Studio:
    """Load the studio locked, let the domain change it, check that no upcoming booking breaks,
    store it with the next version, and record the event in the same transaction."""
    async with units.begin() as uow:
        before = await studio_db.studio_by(uow.session, studio_id=studio_id, for_update=True)
        if before is None:
            raise StudioNotFound(studio_id)
        rules.check_version(before, expected_version)
        after = replace(change(before), version=before.version + 1)
        upcoming = await booking_db.upcoming_bookings(uow.session, studio_id, now=_now())
        booking_rules.check_bookings_kept(before, after, upcoming)
        if not await studio_db.save_studio(uow.session, after, previous_version=before.version):
            raise StaleVersion(before.version, before.version + 1)
        event = studio_event(before, after, changed_at=_now(), actor=actor)
        if event is not None:
            await uow.publish(event, correlation_id=str(after.id))
    return after


async def edit_studio(
    units: UnitsOfWork,
    actor: Actor,
    studio_id: uuid.UUID,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> Studio:
    def edit(studio: Studio) -> Studio:
        rules.check_manager(studio, actor)
        return rules.edited(studio, changes)

    return await _change(units, actor, studio_id, expected_version, edit)


async def publish(
    units: UnitsOfWork, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.publish(s, actor)
    )


async def unlist(
    units: UnitsOfWork, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.unlist(s, actor)
    )


async def suspend(
    units: UnitsOfWork,
    actor: Actor,
    studio_id: uuid.UUID,
    *,
    reason: str,
    expected_version: int | None,
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.suspend(s, actor, reason)
    )


async def restore(
    units: UnitsOfWork, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.restore(s, actor)
    )


async def put_room(
    units: UnitsOfWork,
    actor: Actor,
    studio_id: uuid.UUID,
    room: Room,
    *,
    expected_version: int | None,
    must_exist: bool,
) -> Studio:
    """Add a room, or replace the one with the same id (`must_exist`)."""

    def put(studio: Studio) -> Studio:
        rules.check_manager(studio, actor)
        if must_exist:
            studio.room(room.id)
        return rules.with_room(studio, room)

    return await _change(units, actor, studio_id, expected_version, put)


async def remove_room(
    units: UnitsOfWork,
    actor: Actor,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> Studio:
    def remove(studio: Studio) -> Studio:
        rules.check_manager(studio, actor)
        return rules.without_room(studio, room_id)

    return await _change(units, actor, studio_id, expected_version, remove)


async def studio_detail(units: UnitsOfWork, key: str, viewer: Actor | None) -> Studio:
    """A studio by id or slug: anyone sees it published; its owner and admins always."""
    try:
        lookup: dict[str, Any] = {"studio_id": uuid.UUID(key)}
    except ValueError:
        if not could_be_slug(key):
            raise StudioNotFound(key) from None
        lookup = {"slug": key}
    async with units.begin() as uow:
        studio = await studio_db.studio_by(uow.session, **lookup)
    if studio is None or not rules.visible_to(studio, viewer):
        raise StudioNotFound(key)
    return studio


async def owner_studios(units: UnitsOfWork, owner_id: uuid.UUID) -> list[Studio]:
    async with units.begin() as uow:
        return await studio_db.studios_of_owner(uow.session, owner_id)


@dataclass(frozen=True)
class SearchPage:
    hits: list[StudioHit]
    next_cursor: str | None


async def search(units: UnitsOfWork, query: StudioSearch) -> SearchPage:
    """One page of published studios matching the search, and the cursor of the next."""
    query = query.checked()
    async with units.begin() as uow:
        hits = await search_studios(uow.session, query)
    if len(hits) <= query.limit:
        return SearchPage(hits, None)
    hits = hits[: query.limit]
    last = hits[-1]
    cursor = Cursor(query.order.value, last.key, last.row.id)
    return SearchPage(hits, cursor.encode())


BookingEnded = BookingCancelled | BookingCompleted | BookingFailed | BookingNoShow


def _booked_session(message: BookingConfirmed | BookingEnded) -> UpcomingBooking:
    return UpcomingBooking(
        booking_id=message.booking_id,
        room_id=message.room_id,
        starts_at=message.time_range.starts_at,
        ends_at=message.time_range.ends_at,
    )


async def record_confirmed_booking(uow: UnitOfWork, message: BookingConfirmed) -> None:
    """Remember a confirmed booking, which its room and the studio's time zone must outlive."""
    await booking_db.add_booked_session(uow.session, message.studio_id, _booked_session(message))


async def record_ended_booking(uow: UnitOfWork, message: BookingEnded) -> None:
    """Forget a booking as one that changes of its studio could break."""
    await booking_db.end_booked_session(uow.session, message.studio_id, _booked_session(message))


async def record_completed_booking(uow: UnitOfWork, message: BookingCompleted) -> None:
    """The booking no longer holds its room; remember who may review which studio (the
    consumer's inbox makes this run once)."""
    await record_ended_booking(uow, message)
    await booking_db.add_completed_booking(
        uow.session,
        CompletedBooking(
            booking_id=message.booking_id,
            booker_id=message.booker_id,
            studio_id=message.studio_id,
            completed_at=message.completed_at,
        ),
    )


async def add_review(
    units: UnitsOfWork,
    *,
    booker_id: uuid.UUID,
    studio_id: uuid.UUID,
    booking_id: uuid.UUID,
    rating: int,
    text: str,
) -> Review:
    """A booker's review of a completed booking; the studio's rating moves in the same commit."""
    async with units.begin() as uow:
        locked = await studio_db.owner_and_rating_for_update(uow.session, studio_id)
        if locked is None:
            raise StudioNotFound(studio_id)
        owner_id, summary = locked
        booking = await booking_db.completed_booking(uow.session, booking_id)
        review = review_rules.new_review(
            booking,
            studio_id=studio_id,
            studio_owner_id=owner_id,
            booker_id=booker_id,
            rating=rating,
            text=text,
            now=_now(),
        )
        if await review_db.review_exists_for(uow.session, booking_id):
            raise AlreadyReviewed(booking_id)
        await review_db.add_review(uow.session, review)
        await studio_db.save_rating(uow.session, studio_id, summary.with_rating(rating))
        review = replace(review, reviewer_name=await review_db.user_name(uow.session, booker_id))
    return review


async def answer_review(
    units: UnitsOfWork, actor: Actor, studio_id: uuid.UUID, review_id: uuid.UUID, answer: str
) -> Review:
    """The studio owner's one answer to a review."""
    async with units.begin() as uow:
        studio = await studio_db.studio_by(uow.session, studio_id=studio_id)
        if studio is None:
            raise StudioNotFound(studio_id)
        if studio.owner_id != actor.user_id:
            raise rules.NotStudioOwner()
        review = await review_db.review_for_update(uow.session, studio_id, review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        review = review_rules.answered(review, answer, _now())
        await review_db.save_answer(uow.session, review)
    return review


async def studio_reviews(
    units: UnitsOfWork,
    studio_id: uuid.UUID,
    viewer: Actor | None,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Review], str | None]:
    """A page of a studio's reviews, newest first, and the cursor of the next page; seen by
    whoever may see the studio."""
    after = Cursor.decode(cursor) if cursor else None
    if after is not None and after.sort != REVIEWS_ORDER:
        raise InvalidSearch("cursor: not a cursor of this list of reviews")
    async with units.begin() as uow:
        studio = await studio_db.studio_by(uow.session, studio_id=studio_id)
        if studio is None or not rules.visible_to(studio, viewer):
            raise StudioNotFound(studio_id)
        page = await review_db.reviews_of(uow.session, studio_id, limit=limit + 1, after=after)
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    micros = (last.created_at - _EPOCH) // timedelta(microseconds=1)
    return page[:limit], Cursor(REVIEWS_ORDER, micros, last.id).encode()
