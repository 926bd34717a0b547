"""A person's email preferences: what they read and what they choose."""

from __future__ import annotations

import uuid

from notifications import db
from notifications.domain.notices import Preferences
from service_runtime.unit_of_work import UnitsOfWork


async def preferences(units: UnitsOfWork, person_id: uuid.UUID) -> Preferences:
    async with units.begin() as uow:
        return await db.preferences(uow.session, person_id)


async def choose_preferences(
    units: UnitsOfWork, person_id: uuid.UUID, chosen: Preferences
) -> Preferences:
    """Keep what the person wants from now on; emails already recorded stay as they are."""
    async with units.begin() as uow:
        await db.save_preferences(uow.session, person_id, chosen)
    return chosen
