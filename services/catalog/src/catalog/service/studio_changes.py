"""Owners' and admins' changes of studios: each loads the studio locked, lets the domain decide,
saves it and records its event in one unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from catalog.domain import bookings as booking_rules
from catalog.domain import changes as rules
from catalog.domain.slugs import slugify, unique_slug
from catalog.domain.studios import (
    Actor,
    AddOn,
    Room,
    StaleVersion,
    Studio,
    StudioNotFound,
    validate,
)
from catalog.repositories import CatalogUnits
from catalog.service.studio_events import studio_event


async def create_studio(
    units: CatalogUnits, actor: Actor, details: Mapping[str, Any], rooms: list[Room]
) -> Studio:
    """A new draft studio of the actor's, its slug made from its name once and for all."""
    async with units.begin() as unit:
        slug = unique_slug(details["name"], await unit.studios.slugs_like(slugify(details["name"])))
        studio = validate(
            Studio(
                id=uuid.uuid4(), owner_id=actor.user_id, slug=slug, rooms=tuple(rooms), **details
            )
        )
        await unit.studios.add(studio)
    return studio


async def _change(
    units: CatalogUnits,
    actor: Actor,
    studio_id: uuid.UUID,
    expected_version: int | None,
    change: Callable[[Studio], Studio],
) -> Studio:
    """Load the studio locked, let the domain change it, check that no upcoming booking breaks,
    store it with the next version, and record the event in the same transaction."""
    async with units.begin() as unit:
        before = await unit.studios.studio_by(studio_id=studio_id, for_update=True)
        if before is None:
            raise StudioNotFound(studio_id)
        rules.check_version(before, expected_version)
        after = replace(change(before), version=before.version + 1)
        upcoming = await unit.bookings.upcoming_bookings(studio_id, now=unit.now)
        booking_rules.check_bookings_kept(before, after, upcoming)
        if not await unit.studios.save(after, previous_version=before.version):
            raise StaleVersion(before.version, before.version + 1)
        event = studio_event(before, after, changed_at=unit.now, actor=actor)
        if event is not None:
            await unit.publish(event, correlation_id=str(after.id))
    return after


async def edit_studio(
    units: CatalogUnits,
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
    units: CatalogUnits, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.publish(s, actor)
    )


async def unlist(
    units: CatalogUnits, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.unlist(s, actor)
    )


async def suspend(
    units: CatalogUnits,
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
    units: CatalogUnits, actor: Actor, studio_id: uuid.UUID, *, expected_version: int | None
) -> Studio:
    return await _change(
        units, actor, studio_id, expected_version, lambda s: rules.restore(s, actor)
    )


async def put_room(
    units: CatalogUnits,
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
    units: CatalogUnits,
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


async def put_add_on(
    units: CatalogUnits,
    actor: Actor,
    studio_id: uuid.UUID,
    add_on: AddOn,
    *,
    expected_version: int | None,
    must_exist: bool,
) -> Studio:
    """Add an add-on, or replace the one with the same id (`must_exist`)."""

    def put(studio: Studio) -> Studio:
        rules.check_manager(studio, actor)
        if must_exist:
            studio.add_on(add_on.id)
        return rules.with_add_on(studio, add_on)

    return await _change(units, actor, studio_id, expected_version, put)


async def remove_add_on(
    units: CatalogUnits,
    actor: Actor,
    studio_id: uuid.UUID,
    add_on_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> Studio:
    def remove(studio: Studio) -> Studio:
        rules.check_manager(studio, actor)
        return rules.without_add_on(studio, add_on_id)

    return await _change(units, actor, studio_id, expected_version, remove)
