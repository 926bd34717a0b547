"""Dependencies the identity routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from identity.config import IdentitySettings
from identity.db.unit import SqlIdentityUnits
from identity.repositories import IdentityUnits
from service_runtime.service_app import UnitsDep, settings_of

SettingsDep = Annotated[IdentitySettings, Depends(settings_of(IdentitySettings))]


async def _identity_units(units: UnitsDep) -> IdentityUnits:
    return SqlIdentityUnits(units)


IdentityUnitsDep = Annotated[IdentityUnits, Depends(_identity_units)]
