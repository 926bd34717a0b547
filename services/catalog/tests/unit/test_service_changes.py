"""Catalog's use cases on in-memory fakes (no servers): studios made, changed and announced,
bookings that keep a room, and reviews with the rating they move."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from catalog.domain.bookings import BookingsWouldBreak
from catalog.domain.changes import NotStudioOwner, StaleVersion
from catalog.domain.reviews import AlreadyReviewed, CompletedBooking, ReviewNotAllowed
from catalog.domain.studios import Actor, AddOn, AdminOnly, Photo, Room
from catalog.service import bookings, reviews, studio_changes
from contracts.booking import BookingConfirmed
from contracts.catalog import AddOnPricing, StudioPublished, StudioSuspended, StudioUpdated
from contracts.values import Money, TimeRange

from .fakes import FakeCatalogUnits

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)
DETAILS: dict[str, Any] = dict(
    name="Echo Room", description="A live room with a grand piano.", address="Torstrasse 1",
    city="Berlin", country="DE", latitude=52.53, longitude=13.40, timezone="Europe/Berlin",
    currency="EUR", hourly_price_minor=4500, minimum_hours=1, capacity=8,
    photos=(Photo("https://example.com/1.jpg", "The live room"),),
)  # fmt: skip


def owner() -> Actor:
    return Actor(uuid.uuid4())


async def draft(units: FakeCatalogUnits, by: Actor, **details: Any) -> Any:
    rooms = [Room(uuid.uuid4(), "Live Room", 8), Room(uuid.uuid4(), "Booth", 2)]
    return await studio_changes.create_studio(units, by, {**DETAILS, **details}, rooms)


async def published(units: FakeCatalogUnits, by: Actor) -> Any:
    made = await draft(units, by)
    return await studio_changes.publish(units, by, made.id, expected_version=made.version)


async def test_a_new_studio_is_a_draft_with_a_slug_of_its_own_and_no_announcement() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    first, second = await draft(units, owner()), await draft(units, owner())

    assert first.status.value == "draft"
    assert first.slug == "echo-room"
    assert second.slug != first.slug
    assert second.slug.startswith("echo-room")
    assert units.outbox.published == []


async def test_publishing_announces_the_studio_at_its_new_version() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me = owner()

    studio = await published(units, me)

    [event] = units.outbox.messages(StudioPublished)
    assert (event.studio_id, event.revision, event.owner_id) == (studio.id, 2, me.user_id)
    assert units.tables.studios[studio.id].status.value == "published"


async def test_another_owner_changes_nothing() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    studio = await draft(units, owner())

    with pytest.raises(NotStudioOwner):
        await studio_changes.publish(units, owner(), studio.id, expected_version=None)

    assert units.tables.studios[studio.id] == studio
    assert units.outbox.published == []


async def test_an_edit_against_an_old_version_is_refused() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me = owner()
    studio = await published(units, me)

    with pytest.raises(StaleVersion):
        await studio_changes.edit_studio(
            units, me, studio.id, {"name": "Echo Hall"}, expected_version=1
        )
    edited = await studio_changes.edit_studio(
        units, me, studio.id, {"name": "Echo Hall"}, expected_version=studio.version
    )

    assert edited.name == "Echo Hall"
    assert [e.name for e in units.outbox.messages(StudioUpdated)] == ["Echo Hall"]


async def test_an_add_on_of_a_published_studio_is_announced_for_booking_to_price() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me = owner()
    studio = await published(units, me)
    engineer = AddOn(uuid.uuid4(), "Engineer", AddOnPricing.PER_HOUR, 3000, max_quantity=2)

    with pytest.raises(NotStudioOwner):
        await studio_changes.put_add_on(
            units, owner(), studio.id, engineer, expected_version=None, must_exist=False
        )
    with_engineer = await studio_changes.put_add_on(
        units, me, studio.id, engineer, expected_version=None, must_exist=False
    )
    without = await studio_changes.remove_add_on(
        units, me, studio.id, engineer.id, expected_version=with_engineer.version
    )

    assert with_engineer.add_ons == (engineer,)
    assert without.add_ons == ()
    announced = [event.add_ons for event in units.outbox.messages(StudioUpdated)]
    assert [[(a.add_on_id, a.price_minor, a.max_quantity) for a in e] for e in announced] == [
        [(engineer.id, 3000, 2)],
        [],
    ]


async def test_only_an_admin_suspends_and_the_suspension_is_announced_with_its_admin() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me, admin = owner(), Actor(uuid.uuid4(), is_admin=True)
    studio = await published(units, me)

    with pytest.raises(AdminOnly):
        await studio_changes.suspend(units, me, studio.id, reason="spam", expected_version=None)
    await studio_changes.suspend(units, admin, studio.id, reason="spam", expected_version=None)

    [event] = units.outbox.messages(StudioSuspended)
    assert (event.reason, event.suspended_by) == ("spam", admin.user_id)


async def test_a_room_with_a_booking_to_come_cannot_be_removed_until_it_ended() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me = owner()
    studio = await published(units, me)
    room = studio.rooms[0]
    confirmed = BookingConfirmed(
        booking_id=uuid.uuid4(), booker_id=uuid.uuid4(), owner_id=me.user_id,
        studio_id=studio.id, room_id=room.id,
        time_range=TimeRange(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=3)),
        price=Money(amount_minor=9000, currency="EUR"), confirmed_at=NOW,
    )  # fmt: skip
    async with units.begin() as unit:
        await bookings.record_confirmed_booking(unit, confirmed)

    with pytest.raises(BookingsWouldBreak):
        await studio_changes.remove_room(units, me, studio.id, room.id, expected_version=None)
    other = studio.rooms[1]
    kept = await studio_changes.remove_room(units, me, studio.id, other.id, expected_version=None)

    assert kept.rooms == (room,)  # the booked room stays, the free one could go


async def completed(units: FakeCatalogUnits, studio_id: uuid.UUID, booker: uuid.UUID) -> uuid.UUID:
    booking_id = uuid.uuid4()
    units.tables.completed[booking_id] = CompletedBooking(booking_id, booker, studio_id, NOW)
    return booking_id


async def test_a_review_of_a_completed_booking_moves_the_rating_once() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    studio = await published(units, owner())
    booker = uuid.uuid4()
    units.tables.user_names[booker] = "Bea"
    booking_id = await completed(units, studio.id, booker)

    review = await reviews.add_review(
        units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=4, text="Good"
    )
    with pytest.raises(AlreadyReviewed):
        await reviews.add_review(
            units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=1,
            text="Again",
        )  # fmt: skip

    rating = units.tables.studios[studio.id].rating
    assert (rating.total, rating.count) == (4, 1)
    assert (review.reviewer_name, review.created_at) == ("Bea", NOW)


async def test_only_the_booker_of_a_completed_booking_reviews_and_the_owner_answers() -> None:
    units = FakeCatalogUnits(clock=lambda: NOW)
    me = owner()
    studio = await published(units, me)
    booker = uuid.uuid4()
    booking_id = await completed(units, studio.id, booker)

    with pytest.raises(ReviewNotAllowed):
        await reviews.add_review(
            units, booker_id=uuid.uuid4(), studio_id=studio.id, booking_id=booking_id,
            rating=5, text="Never came",
        )  # fmt: skip
    review = await reviews.add_review(
        units, booker_id=booker, studio_id=studio.id, booking_id=booking_id, rating=5, text="Yes"
    )
    with pytest.raises(NotStudioOwner):
        await reviews.answer_review(units, owner(), studio.id, review.id, "Thanks?")
    answered = await reviews.answer_review(units, me, studio.id, review.id, "Thank you!")

    assert (answered.answer, answered.answered_at) == ("Thank you!", NOW)
    assert units.tables.studios[studio.id].rating.count == 1
