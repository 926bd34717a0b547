"""Owners' and admins' changes of studios on in-memory fakes: who may make them, the version
they need, the bookings they must keep, and what a refused change leaves behind (nothing)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from catalog.domain.bookings import BookingsWouldBreak
from catalog.domain.studios import (
    AddOn,
    AddOnNotFound,
    AdminOnly,
    IllegalTransition,
    InvalidStudio,
    NotStudioOwner,
    Room,
    RoomNotFound,
    StaleVersion,
    StudioIncomplete,
    StudioNotFound,
)
from catalog.service import studio_changes
from contracts.catalog import AddOnPricing, StudioPublished, StudioStatus, StudioUpdated

from .fakes import FakeCatalogUnits
from .service_world import admin, confirmed, draft, owner, published, record


async def test_a_new_studio_is_a_draft_with_a_slug_of_its_own_and_no_announcement(
    units: FakeCatalogUnits,
) -> None:
    first, second = await draft(units, owner()), await draft(units, owner())
    third = await draft(units, owner(), name="Echo  Room!")

    assert (first.status, first.version) == (StudioStatus.DRAFT, 1)
    assert [first.slug, second.slug, third.slug] == ["echo-room", "echo-room-2", "echo-room-3"]
    assert set(units.tables.studios) == {first.id, second.id, third.id}
    assert units.outbox.published == []


async def test_publishing_stores_and_announces_the_studio_at_its_new_version(
    units: FakeCatalogUnits,
) -> None:
    me = owner()

    studio = await published(units, me)

    [event] = units.outbox.messages(StudioPublished)
    assert (event.studio_id, event.revision, event.owner_id) == (studio.id, 2, me.user_id)
    assert units.tables.studios[studio.id].status is StudioStatus.PUBLISHED


async def test_a_studio_with_a_bad_detail_is_not_created(units: FakeCatalogUnits) -> None:
    with pytest.raises(InvalidStudio) as refused:
        await draft(units, owner(), timezone="Mars/Olympus")

    assert refused.value.field == "timezone"
    assert units.tables.studios == {}


async def test_a_renamed_studio_keeps_its_slug(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)

    renamed = await studio_changes.edit_studio(
        units, me, studio.id, {"name": "Echo Hall"}, expected_version=studio.version
    )

    assert (renamed.name, renamed.slug, renamed.version) == ("Echo Hall", "echo-room", 3)
    assert [e.name for e in units.outbox.messages(StudioUpdated)] == ["Echo Hall"]


async def test_an_edit_against_an_old_version_is_refused(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)

    with pytest.raises(StaleVersion):
        await studio_changes.edit_studio(
            units, me, studio.id, {"name": "Echo Hall"}, expected_version=1
        )

    assert units.tables.studios[studio.id] == studio
    assert units.outbox.messages(StudioUpdated) == []


async def test_another_owner_changes_nothing_and_an_admin_changes_anything(
    units: FakeCatalogUnits,
) -> None:
    studio = await draft(units, owner())

    with pytest.raises(NotStudioOwner):
        await studio_changes.publish(units, owner(), studio.id, expected_version=None)
    with pytest.raises(NotStudioOwner):
        await studio_changes.edit_studio(
            units, owner(), studio.id, {"name": "Mine now"}, expected_version=1
        )
    assert units.tables.studios[studio.id] == studio

    edited = await studio_changes.edit_studio(
        units, admin(), studio.id, {"name": "Echo Hall"}, expected_version=1
    )
    assert units.tables.studios[studio.id] == edited
    assert edited.owner_id == studio.owner_id


async def test_a_change_of_a_studio_that_does_not_exist_is_not_found(
    units: FakeCatalogUnits,
) -> None:
    with pytest.raises(StudioNotFound):
        await studio_changes.unlist(units, admin(), uuid.uuid4(), expected_version=None)

    assert units.outbox.commits == 0


async def test_an_incomplete_studio_is_not_published(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await draft(units, me, description="", photos=())

    with pytest.raises(StudioIncomplete) as refused:
        await studio_changes.publish(units, me, studio.id, expected_version=None)

    assert refused.value.missing == ["description", "photos"]
    assert units.tables.studios[studio.id].status is StudioStatus.DRAFT
    assert units.outbox.published == []


async def test_a_published_studio_keeps_what_publication_needs(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)
    await studio_changes.remove_room(units, me, studio.id, studio.rooms[1].id, expected_version=2)

    with pytest.raises(InvalidStudio, match="rooms"):
        await studio_changes.remove_room(
            units, me, studio.id, studio.rooms[0].id, expected_version=3
        )
    with pytest.raises(InvalidStudio, match="description"):
        await studio_changes.edit_studio(
            units, me, studio.id, {"description": " "}, expected_version=3
        )

    assert units.tables.studios[studio.id].rooms == (studio.rooms[0],)


async def test_only_an_admin_suspends_and_restores_to_the_status_before(
    units: FakeCatalogUnits,
) -> None:
    me, moderator = owner(), admin()
    studio = await published(units, me)
    await studio_changes.unlist(units, me, studio.id, expected_version=None)

    with pytest.raises(AdminOnly):
        await studio_changes.suspend(units, me, studio.id, reason="spam", expected_version=None)
    suspended = await studio_changes.suspend(
        units, moderator, studio.id, reason="spam", expected_version=None
    )
    with pytest.raises(IllegalTransition):
        await studio_changes.publish(units, me, studio.id, expected_version=None)
    with pytest.raises(AdminOnly):
        await studio_changes.restore(units, me, studio.id, expected_version=None)
    restored = await studio_changes.restore(units, moderator, studio.id, expected_version=None)

    assert (suspended.status, suspended.suspension_reason) == (StudioStatus.SUSPENDED, "spam")
    assert (restored.status, restored.suspension_reason) == (StudioStatus.UNLISTED, None)
    assert units.tables.studios[studio.id] == restored


async def test_a_room_is_added_and_replaced_in_its_place(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)
    attic = Room(uuid.uuid4(), "Attic", 3)
    bigger_booth = replace(studio.rooms[1], capacity=4, hourly_price_minor=2500)

    await studio_changes.put_room(
        units, me, studio.id, attic, expected_version=None, must_exist=False
    )
    changed = await studio_changes.put_room(
        units, me, studio.id, bigger_booth, expected_version=None, must_exist=True
    )
    with pytest.raises(RoomNotFound):
        await studio_changes.put_room(
            units, me, studio.id, Room(uuid.uuid4(), "Ghost", 1), expected_version=None,
            must_exist=True,
        )  # fmt: skip

    assert changed.rooms == (studio.rooms[0], bigger_booth, attic)
    assert units.tables.studios[studio.id].rooms == changed.rooms
    announced = units.outbox.messages(StudioUpdated)[-1]
    assert [(r.name, r.capacity) for r in announced.rooms] == [
        ("Live Room", 8), ("Booth", 4), ("Attic", 3),
    ]  # fmt: skip


async def test_an_add_on_of_a_published_studio_is_announced_for_booking_to_price(
    units: FakeCatalogUnits,
) -> None:
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
    with pytest.raises(AddOnNotFound):
        await studio_changes.remove_add_on(units, me, studio.id, engineer.id, expected_version=None)

    assert with_engineer.add_ons == (engineer,)
    assert without.add_ons == ()
    announced = [event.add_ons for event in units.outbox.messages(StudioUpdated)]
    assert [[(a.add_on_id, a.price_minor, a.max_quantity) for a in e] for e in announced] == [
        [(engineer.id, 3000, 2)],
        [],
    ]


async def test_a_room_with_a_booking_to_come_cannot_be_removed_until_it_ended(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await published(units, me)
    room, other = studio.rooms
    await record(units, confirmed(studio, room.id))

    with pytest.raises(BookingsWouldBreak):
        await studio_changes.remove_room(units, me, studio.id, room.id, expected_version=None)
    kept = await studio_changes.remove_room(units, me, studio.id, other.id, expected_version=None)

    assert kept.rooms == (room,)  # the booked room stays, the free one could go


async def test_the_time_zone_stays_while_bookings_are_to_come_soonest_listed_first(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await published(units, me)
    later = confirmed(studio, studio.rooms[0].id, starts_in=timedelta(days=9))
    sooner = confirmed(studio, studio.rooms[1].id, starts_in=timedelta(days=1))
    past = confirmed(studio, studio.rooms[1].id, starts_in=-timedelta(days=1))
    await record(units, later, sooner, past)

    with pytest.raises(BookingsWouldBreak) as refused:
        await studio_changes.edit_studio(
            units, me, studio.id, {"timezone": "Europe/Lisbon"}, expected_version=2
        )
    moved = await studio_changes.edit_studio(
        units, me, studio.id, {"name": "Echo Hall"}, expected_version=2
    )

    assert [b.booking_id for b in refused.value.bookings] == [sooner.booking_id, later.booking_id]
    assert (moved.timezone, moved.name) == ("Europe/Berlin", "Echo Hall")


async def test_the_time_zone_moves_once_no_booking_is_to_come(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)
    await record(units, confirmed(studio, studio.rooms[0].id, starts_in=-timedelta(days=2)))

    moved = await studio_changes.edit_studio(
        units, me, studio.id, {"timezone": "Europe/Lisbon"}, expected_version=2
    )

    assert units.tables.studios[studio.id].timezone == "Europe/Lisbon"
    assert units.outbox.messages(StudioUpdated)[-1].timezone == "Europe/Lisbon"
    assert units.outbox.messages(StudioPublished)[0].revision == moved.version - 1
