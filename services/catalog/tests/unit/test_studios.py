"""Studio rules: who changes what, how the status moves, what publishing needs."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from catalog.domain.changes import (
    check_version,
    edited,
    publish,
    restore,
    suspend,
    unlist,
    with_room,
    without_room,
)
from catalog.domain.studios import (
    Actor,
    AdminOnly,
    IllegalTransition,
    InvalidStudio,
    NotStudioOwner,
    Photo,
    Room,
    StaleVersion,
    Studio,
    StudioIncomplete,
    validate,
)
from contracts.catalog import StudioStatus

OWNER = Actor(uuid.uuid4())
STRANGER = Actor(uuid.uuid4())
ADMIN = Actor(uuid.uuid4(), is_admin=True)


def draft(**changes: object) -> Studio:
    studio = Studio(
        id=uuid.uuid4(),
        owner_id=OWNER.user_id,
        slug="echo-room",
        name="Echo Room",
        description="A live room with a grand piano.",
        address="Torstrasse 1",
        city="Berlin",
        country="DE",
        latitude=52.53,
        longitude=13.40,
        timezone="Europe/Berlin",
        currency="EUR",
        hourly_price_minor=4500,
        rooms=(Room(id=uuid.uuid4(), name="Live Room", capacity=6),),
        photos=(Photo(url="https://example.com/1.jpg", caption="Live room"),),
    )
    return replace(studio, **changes)  # type: ignore[arg-type]


def test_an_owner_publishes_their_own_complete_draft() -> None:
    assert publish(draft(), OWNER).status is StudioStatus.PUBLISHED


def test_another_owner_may_not_publish_it() -> None:
    with pytest.raises(NotStudioOwner):
        publish(draft(), STRANGER)


def test_publishing_names_what_is_missing() -> None:
    with pytest.raises(StudioIncomplete) as error:
        publish(draft(description="", rooms=(), photos=()), OWNER)
    assert error.value.missing == ["description", "rooms", "photos"]


def test_unlist_and_publish_again() -> None:
    unlisted = unlist(publish(draft(), OWNER), OWNER)
    assert unlisted.status is StudioStatus.UNLISTED
    assert publish(unlisted, OWNER).status is StudioStatus.PUBLISHED


def test_a_draft_cannot_be_unlisted() -> None:
    with pytest.raises(IllegalTransition):
        unlist(draft(), OWNER)


def test_only_admins_suspend_and_restore_to_the_previous_status() -> None:
    published = publish(draft(), OWNER)
    with pytest.raises(AdminOnly):
        suspend(published, OWNER, "spam")
    suspended = suspend(published, ADMIN, "fake photos")
    assert (suspended.status, suspended.suspension_reason) == (
        StudioStatus.SUSPENDED,
        "fake photos",
    )
    with pytest.raises(AdminOnly):
        restore(suspended, OWNER)
    restored = restore(suspended, ADMIN)
    assert (restored.status, restored.suspension_reason) == (StudioStatus.PUBLISHED, None)


def test_the_owner_cannot_publish_a_suspended_studio() -> None:
    suspended = suspend(publish(draft(), OWNER), ADMIN, "fake photos")
    with pytest.raises(IllegalTransition):
        publish(suspended, OWNER)


def test_edits_keep_the_slug_and_are_validated_by_field() -> None:
    studio = edited(draft(), {"name": "Completely New Name", "hourly_price_minor": 5000})
    assert (studio.slug, studio.name) == ("echo-room", "Completely New Name")
    for field, value in [
        ("country", "XX"),
        ("timezone", "Mars/Olympus"),
        ("latitude", 91.0),
        ("currency", "euro"),
        ("minimum_hours", 0),
        ("maximum_hours", 24 * 7 + 1),
    ]:
        with pytest.raises(InvalidStudio) as error:
            edited(draft(), {field: value})
        assert error.value.field == field


def test_the_longest_booking_is_no_shorter_than_the_shortest() -> None:
    studio = edited(draft(), {"minimum_hours": 3, "maximum_hours": 3})
    assert (studio.minimum_hours, studio.maximum_hours) == (3, 3)
    with pytest.raises(InvalidStudio) as error:
        edited(studio, {"maximum_hours": 2})
    assert error.value.field == "maximum_hours"


def test_the_slug_itself_cannot_be_edited() -> None:
    with pytest.raises(InvalidStudio) as error:
        edited(draft(), {"slug": "other"})
    assert error.value.field == "slug"


def test_a_published_studio_cannot_lose_what_publishing_needed() -> None:
    with pytest.raises(InvalidStudio) as error:
        edited(publish(draft(), OWNER), {"description": " "})
    assert error.value.field == "description"
    published = publish(draft(), OWNER)
    with pytest.raises(InvalidStudio):
        without_room(published, published.rooms[0].id)


def test_rooms_are_added_and_replaced_in_place() -> None:
    studio = draft()
    second = Room(id=uuid.uuid4(), name="Booth", capacity=2, hourly_price_minor=3000)
    studio = with_room(studio, second)
    renamed = replace(studio.rooms[0], name="Big Room")
    studio = with_room(studio, renamed)
    assert [room.name for room in studio.rooms] == ["Big Room", "Booth"]
    with pytest.raises(InvalidStudio):
        validate(with_room(studio, Room(id=uuid.uuid4(), name="", capacity=1)))


def test_a_stale_version_is_refused() -> None:
    check_version(draft(version=3), 3)
    check_version(draft(version=3), None)
    with pytest.raises(StaleVersion):
        check_version(draft(version=3), 2)
