"""What other services hear of a studio's changes, on in-memory fakes: one event per change that
they could see, named by the status it reached, carrying the whole studio at its new revision."""

from __future__ import annotations

import uuid
from dataclasses import replace

from catalog.domain.studios import AddOn, Room
from catalog.service import studio_changes
from catalog.service.studio_events import studio_event
from contracts.catalog import (
    AddOnPricing,
    BookingMode,
    StudioPublished,
    StudioStatus,
    StudioSuspended,
    StudioUnlisted,
    StudioUpdated,
)

from .fakes import FakeCatalogUnits
from .service_world import NOW, admin, draft, owner, published


async def test_changes_of_a_never_published_draft_announce_nothing(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await draft(units, me)

    edited = await studio_changes.edit_studio(
        units, me, studio.id, {"name": "Echo Hall"}, expected_version=studio.version
    )
    await studio_changes.put_room(
        units, me, studio.id, Room(uuid.uuid4(), "Attic", 3), expected_version=None,
        must_exist=False,
    )  # fmt: skip

    assert edited.version == 2
    assert units.outbox.published == []


async def test_the_publication_carries_the_whole_studio_at_its_revision(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    made = await draft(
        units, me, maximum_hours=48, booking_mode=BookingMode.REQUEST, request_window_hours=12
    )
    booth = replace(made.rooms[1], hourly_price_minor=2000)
    await studio_changes.put_room(units, me, made.id, booth, expected_version=None, must_exist=True)
    fee = AddOn(uuid.uuid4(), "Cleaning", AddOnPricing.PER_BOOKING, 1500, required=True)
    await studio_changes.put_add_on(
        units, me, made.id, fee, expected_version=None, must_exist=False
    )

    studio = await studio_changes.publish(units, me, made.id, expected_version=3)

    [event] = units.outbox.messages(StudioPublished)
    assert (event.revision, event.changed_at, event.status) == (4, NOW, StudioStatus.PUBLISHED)
    assert (event.slug, event.address, event.city) == (studio.slug, "Torstrasse 1", "Berlin")
    assert (event.maximum_hours, event.booking_mode, event.request_window_hours) == (
        48, BookingMode.REQUEST, 12,
    )  # fmt: skip
    assert [(r.room_id, r.hourly_price_minor) for r in event.rooms] == [
        (made.rooms[0].id, None),
        (booth.id, 2000),
    ]
    assert [(a.add_on_id, a.price_minor, a.required) for a in event.add_ons] == [
        (fee.id, 1500, True)
    ]


async def test_each_status_reached_has_its_event_and_other_changes_are_updates(
    units: FakeCatalogUnits,
) -> None:
    me, moderator = owner(), admin()
    studio = await published(units, me)

    await studio_changes.unlist(units, me, studio.id, expected_version=None)
    await studio_changes.edit_studio(
        units, me, studio.id, {"hourly_price_minor": 5000}, expected_version=3
    )
    await studio_changes.publish(units, me, studio.id, expected_version=None)
    await studio_changes.suspend(
        units, moderator, studio.id, reason="fake photos", expected_version=None
    )
    await studio_changes.restore(units, moderator, studio.id, expected_version=None)

    kinds = [(type(m).__name__, m.model_dump()["revision"]) for m, _ in units.outbox.published]
    assert kinds == [
        ("StudioPublished", 2),
        ("StudioUnlisted", 3),
        ("StudioUpdated", 4),
        ("StudioPublished", 5),
        ("StudioSuspended", 6),
        ("StudioPublished", 7),
    ]
    [updated] = units.outbox.messages(StudioUpdated)
    assert (updated.hourly_price_minor, updated.status) == (5000, StudioStatus.UNLISTED)
    [suspended] = units.outbox.messages(StudioSuspended)
    assert (suspended.reason, suspended.suspended_by) == ("fake photos", moderator.user_id)
    assert [e.studio_id for e in units.outbox.messages(StudioUnlisted)] == [studio.id]


async def test_a_suspended_draft_is_announced_and_its_restoration_too(
    units: FakeCatalogUnits,
) -> None:
    moderator = admin()
    studio = await draft(units, owner())

    await studio_changes.suspend(units, moderator, studio.id, reason="spam", expected_version=1)
    restored = await studio_changes.restore(units, moderator, studio.id, expected_version=2)

    assert restored.status is StudioStatus.DRAFT
    assert [type(m) for m, _ in units.outbox.published] == [StudioSuspended, StudioUpdated]
    assert units.outbox.messages(StudioUpdated)[0].status is StudioStatus.DRAFT


async def test_a_studio_loaded_published_at_once_is_announced_published(
    units: FakeCatalogUnits,
) -> None:
    studio = replace(await draft(units, owner()), status=StudioStatus.PUBLISHED)

    event = studio_event(None, studio, changed_at=NOW)

    assert isinstance(event, StudioPublished)
    assert (event.studio_id, event.revision, event.owner_id) == (
        studio.id, studio.version, studio.owner_id,
    )  # fmt: skip
    assert studio_event(None, replace(studio, status=StudioStatus.DRAFT), changed_at=NOW) is None
