"""The signed-in person's email preferences: which emails that can be turned off they get."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, StrictBool

from notifications.db.unit import SqlNotificationsUnits
from notifications.domain.notices import Preferences
from notifications.repositories import NotificationsUnits
from notifications.service import preferences
from service_runtime.auth import CurrentUser
from service_runtime.service_app import UnitsDep

router = APIRouter(tags=["preferences"])


async def _person_id(user: CurrentUser) -> uuid.UUID:
    """The caller, as the people that identity's events name."""
    return user.user_id


async def _notifications_units(units: UnitsDep) -> NotificationsUnits:
    return SqlNotificationsUnits(units)


PersonId = Annotated[uuid.UUID, Depends(_person_id)]
NotificationsUnitsDep = Annotated[NotificationsUnits, Depends(_notifications_units)]
PATH = "/api/notifications/preferences"


class EmailPreferences(BaseModel):
    """Both kinds are on until turned off; booking, payment and account emails always go."""

    # Strict: a form's "on" or a string "false" is refused rather than read as true.
    model_config = ConfigDict(extra="forbid")

    reminders: StrictBool
    """Reminders before a booked session."""
    messages: StrictBool
    """An email when the other side writes in a booking's conversation."""

    @classmethod
    def of(cls, chosen: Preferences) -> EmailPreferences:
        return cls(reminders=chosen.reminders, messages=chosen.messages)


@router.get(PATH)
async def my_preferences(person_id: PersonId, units: NotificationsUnitsDep) -> EmailPreferences:
    return EmailPreferences.of(await preferences.preferences(units, person_id))


@router.put(PATH)
async def choose_my_preferences(
    body: EmailPreferences, person_id: PersonId, units: NotificationsUnitsDep
) -> EmailPreferences:
    chosen = Preferences(reminders=body.reminders, messages=body.messages)
    return EmailPreferences.of(await preferences.choose_preferences(units, person_id, chosen))
