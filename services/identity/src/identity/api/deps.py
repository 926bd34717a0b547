"""Dependencies the identity routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from identity.config import IdentitySettings
from service_runtime.service_app import UnitsDep as UnitsDep
from service_runtime.service_app import settings_of

SettingsDep = Annotated[IdentitySettings, Depends(settings_of(IdentitySettings))]
