"""Dependencies the availability routes share."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from pydantic import AwareDatetime

from availability.config import AvailabilitySettings
from availability.domain.intervals import Interval
from availability.service import Actor
from contracts.identity import Role
from service_runtime.auth import Principal
from service_runtime.service_app import UnitsDep as UnitsDep
from service_runtime.service_app import runtime_of


def _settings(request: Request) -> AvailabilitySettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, AvailabilitySettings)
    return settings


SettingsDep = Annotated[AvailabilitySettings, Depends(_settings)]


def _window(
    settings: SettingsDep,
    from_: Annotated[AwareDatetime, Query(alias="from", description="UTC or with an offset")],
    to: Annotated[AwareDatetime, Query(description="Exclusive end of the window")],
) -> Interval:
    if to <= from_:
        raise HTTPException(422, "`to` must be after `from`.")
    if to - from_ > timedelta(days=settings.max_query_days):
        raise HTTPException(422, f"Ask for at most {settings.max_query_days} days at a time.")
    return Interval(from_, to)


WindowDep = Annotated[Interval, Depends(_window)]


def actor_of(principal: Principal) -> Actor:
    return Actor(user_id=principal.user_id, is_admin=principal.has_role(Role.ADMIN))
