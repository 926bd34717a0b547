"""The event that announces a change of a studio, built where the change is decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.domain.studios import Actor, Studio
from contracts.catalog import (
    AddOnSnapshot,
    RoomSnapshot,
    StudioPublished,
    StudioStatus,
    StudioSuspended,
    StudioUnlisted,
    StudioUpdated,
)
from contracts.envelope import Message


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
        "booking_mode": after.booking_mode,
        "request_window_hours": after.request_window_hours,
        "rooms": [
            RoomSnapshot(
                room_id=room.id,
                name=room.name,
                capacity=room.capacity,
                hourly_price_minor=room.hourly_price_minor,
            )
            for room in after.rooms
        ],
        "add_ons": [
            AddOnSnapshot(
                add_on_id=add_on.id,
                name=add_on.name,
                pricing=add_on.pricing,
                price_minor=add_on.price_minor,
                max_quantity=add_on.max_quantity,
                required=add_on.required,
            )
            for add_on in after.add_ons
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
