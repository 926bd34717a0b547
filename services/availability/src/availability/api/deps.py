"""Dependencies the availability routes share."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from availability.config import AvailabilitySettings
from availability.db import SqlAvailabilityUnits
from availability.domain.intervals import Interval
from availability.repositories import AvailabilityUnits
from availability.service.schedules import Actor
from contracts.identity import Role
from contracts.values import UtcDatetime
from service_runtime.auth import Principal
from service_runtime.service_app import UnitsDep, settings_of


async def _availability_units(units: UnitsDep) -> AvailabilityUnits:
    return SqlAvailabilityUnits(units)


AvailabilityUnitsDep = Annotated[AvailabilityUnits, Depends(_availability_units)]
SettingsDep = Annotated[AvailabilitySettings, Depends(settings_of(AvailabilitySettings))]


def invalid(location: str, field: str, message: str) -> RequestValidationError:
    """A 422 problem naming the field, as pydantic's own refusals are answered."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (location, field), "msg": message, "input": None}]
    )


async def _window(
    settings: SettingsDep,
    from_: Annotated[UtcDatetime, Query(alias="from", description="UTC or with an offset")],
    to: Annotated[UtcDatetime, Query(description="Exclusive end of the window")],
) -> Interval:
    if to <= from_:
        raise invalid("query", "to", "must be after `from`")
    if to - from_ > timedelta(days=settings.max_query_days):
        raise invalid("query", "to", f"ask for at most {settings.max_query_days} days at a time")
    return Interval(from_, to)


WindowDep = Annotated[Interval, Depends(_window)]


def actor_of(principal: Principal) -> Actor:
    return Actor(user_id=principal.user_id, is_admin=principal.has_role(Role.ADMIN))
