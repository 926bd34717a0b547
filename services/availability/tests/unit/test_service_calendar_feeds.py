"""Owners' calendar feeds on in-memory fakes: made and read by the owner alone, served behind
their secret until rotated or revoked."""

from __future__ import annotations

import uuid

import pytest

from availability.domain.calendar_feeds import FeedNotFound, TooManyFeeds
from availability.domain.studios import StudioNotFound
from availability.service import calendar_feeds
from availability.service.schedules import Actor
from contracts.availability import SlotsHeld

from .fakes import FakeAvailabilityUnits
from .service_world import NOW, StudioAt, confirm, hold, hours


async def test_a_feed_shows_the_studios_bookings_by_the_bookers_first_name(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    await confirm(units, booking_id, units.outbox.messages(SlotsHeld)[0].reservation_id)
    booker = uuid.uuid4()
    units.tables.bookers[booking_id] = booker
    units.tables.first_names[booker] = "Ada"
    _, secret = await calendar_feeds.create_feed(
        units, studio.id, studio.owner, None, limit=2, now=NOW
    )

    document = await calendar_feeds.feed_document(units, secret, now=NOW, limit=10)

    assert b"BEGIN:VEVENT" in document
    assert b"Ada" in document


async def test_a_rotated_feed_answers_only_its_new_secret(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    feed, old = await calendar_feeds.create_feed(
        units, studio.id, studio.owner, studio.room, limit=2, now=NOW
    )

    _, new = await calendar_feeds.rotate_feed(units, studio.id, studio.owner, feed.id, NOW)

    assert b"BEGIN:VCALENDAR" in await calendar_feeds.feed_document(units, new, now=NOW, limit=5)
    with pytest.raises(FeedNotFound):
        await calendar_feeds.feed_document(units, old, now=NOW, limit=5)


async def test_feeds_are_the_owners_alone_and_limited(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await calendar_feeds.create_feed(units, studio.id, studio.owner, None, limit=1, now=NOW)

    with pytest.raises(TooManyFeeds):
        await calendar_feeds.create_feed(units, studio.id, studio.owner, None, limit=1, now=NOW)
    with pytest.raises(StudioNotFound):
        await calendar_feeds.feeds(units, studio.id, Actor(uuid.uuid4(), is_admin=True))
    assert len(await calendar_feeds.feeds(units, studio.id, studio.owner)) == 1
