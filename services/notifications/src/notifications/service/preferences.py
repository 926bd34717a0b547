"""A person's email preferences: what they read and what they choose."""

from __future__ import annotations

import uuid

from notifications.domain.notices import Preferences
from notifications.repositories import NotificationsUnits


async def preferences(units: NotificationsUnits, person_id: uuid.UUID) -> Preferences:
    async with units.begin() as unit:
        return await unit.preferences.of(person_id)


async def choose_preferences(
    units: NotificationsUnits, person_id: uuid.UUID, chosen: Preferences
) -> Preferences:
    """Keep what the person wants from now on; emails already recorded stay as they are."""
    async with units.begin() as unit:
        await unit.preferences.save(person_id, chosen)
    return chosen
