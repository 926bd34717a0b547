"""Owners' calendar feeds: create, rotate, list, revoke, and the public feed itself."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from availability.domain.calendar_feeds import (
    CalendarFeed,
    FeedLabels,
    FeedNotFound,
    TooManyFeeds,
    UnknownRoom,
    feed_calendar,
    feed_window,
    secret_hash,
)
from availability.domain.studios import Studio, StudioNotFound
from availability.repositories import AvailabilityUnit, AvailabilityUnits
from availability.service.schedules import Actor

# Long enough to be unguessable, short enough for a URL: 32 random bytes.
SECRET_BYTES = 32


async def own_studio(uow: AvailabilityUnit, studio_id: uuid.UUID, actor: Actor) -> Studio:
    """The caller's own studio; anyone else's (admins' too: feeds name bookers) is not found."""
    studio = await uow.studios.studio_by_id(studio_id)
    if studio is None or studio.owner_id != actor.user_id:
        raise StudioNotFound(studio_id)
    return studio


async def feeds(units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor) -> list[CalendarFeed]:
    async with units.begin() as uow:
        await own_studio(uow, studio_id, actor)
        return await uow.calendar_feeds.feeds_of(studio_id)


async def create_feed(
    units: AvailabilityUnits,
    studio_id: uuid.UUID,
    actor: Actor,
    room_id: uuid.UUID | None,
    *,
    limit: int,
    now: datetime,
) -> tuple[CalendarFeed, str]:
    """A new feed of the studio or one of its rooms, and its secret (shown only now)."""
    async with units.begin() as uow:
        studio = await own_studio(uow, studio_id, actor)
        if room_id is not None and not studio.has_room(room_id):
            raise UnknownRoom(room_id)
        await uow.lock(f"calendar-feeds:{studio_id}")
        if len(await uow.calendar_feeds.feeds_of(studio_id)) >= limit:
            raise TooManyFeeds(limit)
        feed = CalendarFeed(uuid.uuid4(), studio_id, room_id, created_at=now, rotated_at=now)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        await uow.calendar_feeds.add_feed(feed, secret_hash(secret))
        return feed, secret


async def rotate_feed(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, feed_id: uuid.UUID, now: datetime
) -> tuple[CalendarFeed, str]:
    """A new secret for the feed; the old URL stops working at once."""
    async with units.begin() as uow:
        await own_studio(uow, studio_id, actor)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        feed = await uow.calendar_feeds.rotate_feed(studio_id, feed_id, secret_hash(secret), now)
        if feed is None:
            raise FeedNotFound()
        return feed, secret


async def revoke_feed(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, feed_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        await own_studio(uow, studio_id, actor)
        if not await uow.calendar_feeds.remove_feed(studio_id, feed_id):
            raise FeedNotFound()


async def feed_document(
    units: AvailabilityUnits, secret: str, *, now: datetime, limit: int
) -> bytes:
    """The public feed behind a secret, as iCalendar; FeedNotFound for a revoked or unknown one."""
    async with units.begin() as uow:
        feed = await uow.calendar_feeds.feed_by_secret(secret_hash(secret))
        if feed is None:
            raise FeedNotFound()
        entries = await uow.calendar_feeds.feed_entries(feed, feed_window(now), now, limit)
        studio_name, room_names = await uow.calendar_feeds.names_of_studio(feed.studio_id)
        bookers = {entry.booker_id for entry in entries if entry.booker_id is not None}
        names = await uow.calendar_feeds.first_names(bookers)
    return feed_calendar(feed, FeedLabels(studio_name, room_names, names), entries, now)
