"""Dependencies the identity routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.config import IdentitySettings
from service_runtime.service_app import ServiceRuntime, runtime_of
from service_runtime.service_app import UnitsDep as UnitsDep


def _settings(request: Request) -> IdentitySettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, IdentitySettings)
    return settings


RuntimeDep = Annotated[ServiceRuntime, Depends(runtime_of)]
SettingsDep = Annotated[IdentitySettings, Depends(_settings)]
