"""How a studio changes: edits, rooms, add-ons and status transitions, and who may see and
change it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from catalog.domain.studios import (
    Actor,
    AddOn,
    AdminOnly,
    IllegalTransition,
    InvalidStudio,
    NotStudioOwner,
    Room,
    StaleVersion,
    Studio,
    StudioIncomplete,
    missing_for_publication,
    validate,
)
from contracts.catalog import StudioStatus

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "address",
        "city",
        "country",
        "latitude",
        "longitude",
        "timezone",
        "currency",
        "hourly_price_minor",
        "minimum_hours",
        "maximum_hours",
        "capacity",
        "amenities",
        "photos",
        "cancellation_policy",
        "booking_mode",
        "request_window_hours",
    }
)


def check_manager(studio: Studio, actor: Actor) -> None:
    """Owners manage their own studios; admins manage any."""
    if not (actor.is_admin or studio.owner_id == actor.user_id):
        raise NotStudioOwner()


def visible_to(studio: Studio, viewer: Actor | None) -> bool:
    """Anyone sees a published studio; its owner and admins see it in any status."""
    if studio.status is StudioStatus.PUBLISHED:
        return True
    return viewer is not None and (viewer.is_admin or viewer.user_id == studio.owner_id)


def check_version(studio: Studio, expected: int | None) -> None:
    """Refuse a change made against an older version than the studio's (None skips the check)."""
    if expected is not None and expected != studio.version:
        raise StaleVersion(expected, studio.version)


def edited(studio: Studio, changes: Mapping[str, Any]) -> Studio:
    """The studio with new details; the slug stays as it was made."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidStudio(sorted(unknown)[0], "cannot be changed")
    changed = validate(replace(studio, **changes))
    missing = missing_for_publication(changed)
    if changed.status is StudioStatus.PUBLISHED and missing:
        raise InvalidStudio(missing[0], "a published studio needs it")
    return changed


def publish(studio: Studio, actor: Actor) -> Studio:
    """Drafts and unlisted studios go live when complete; an owner may publish their own."""
    check_manager(studio, actor)
    if studio.status not in (StudioStatus.DRAFT, StudioStatus.UNLISTED):
        raise IllegalTransition(studio.status, "published")
    _require_complete(studio)
    return replace(studio, status=StudioStatus.PUBLISHED)


def unlist(studio: Studio, actor: Actor) -> Studio:
    """Take a published studio off the market; no new bookings."""
    check_manager(studio, actor)
    if studio.status is not StudioStatus.PUBLISHED:
        raise IllegalTransition(studio.status, "unlisted")
    return replace(studio, status=StudioStatus.UNLISTED)


def suspend(studio: Studio, actor: Actor, reason: str) -> Studio:
    """An admin blocks a studio from search and booking until it is restored."""
    if not actor.is_admin:
        raise AdminOnly("suspend")
    if studio.status is StudioStatus.SUSPENDED:
        raise IllegalTransition(studio.status, "suspended")
    return replace(
        studio,
        status=StudioStatus.SUSPENDED,
        suspended_from=studio.status,
        suspension_reason=reason,
    )


def restore(studio: Studio, actor: Actor) -> Studio:
    """An admin lifts a suspension: the studio returns to the status it had before."""
    if not actor.is_admin:
        raise AdminOnly("restore")
    if studio.status is not StudioStatus.SUSPENDED:
        raise IllegalTransition(studio.status, "restored")
    previous = studio.suspended_from or StudioStatus.UNLISTED
    if previous is StudioStatus.PUBLISHED:
        _require_complete(studio)
    return replace(studio, status=previous, suspended_from=None, suspension_reason=None)


def _require_complete(studio: Studio) -> None:
    missing = missing_for_publication(studio)
    if missing:
        raise StudioIncomplete(missing)


def with_room(studio: Studio, room: Room) -> Studio:
    """The studio with a room added, or replaced when one has the same id."""
    rooms = [existing for existing in studio.rooms if existing.id != room.id]
    position = next((i for i, r in enumerate(studio.rooms) if r.id == room.id), len(rooms))
    rooms.insert(position, room)
    return validate(replace(studio, rooms=tuple(rooms)))


def without_room(studio: Studio, room_id: uuid.UUID) -> Studio:
    """The studio without this room; a published studio keeps at least one."""
    studio.room(room_id)
    rooms = tuple(room for room in studio.rooms if room.id != room_id)
    if not rooms and studio.status is StudioStatus.PUBLISHED:
        raise InvalidStudio("rooms", "a published studio keeps at least one room")
    return replace(studio, rooms=rooms)


def with_add_on(studio: Studio, add_on: AddOn) -> Studio:
    """The studio with an add-on added, or replaced in its place when one has the same id."""
    add_ons = [existing for existing in studio.add_ons if existing.id != add_on.id]
    position = next((i for i, a in enumerate(studio.add_ons) if a.id == add_on.id), len(add_ons))
    add_ons.insert(position, add_on)
    return validate(replace(studio, add_ons=tuple(add_ons)))


def without_add_on(studio: Studio, add_on_id: uuid.UUID) -> Studio:
    """The studio without this add-on; bookings made keep the add-ons they bought."""
    studio.add_on(add_on_id)
    return replace(studio, add_ons=tuple(a for a in studio.add_ons if a.id != add_on_id))
