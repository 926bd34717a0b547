"""Dependencies the booking routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from booking.changes import BookingWatcher
from booking.config import BookingSettings
from service_runtime.service_app import ServiceRuntime, runtime_of
from service_runtime.service_app import UnitsDep as UnitsDep


def _settings(request: Request) -> BookingSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, BookingSettings)
    return settings


def _watcher(request: Request) -> BookingWatcher:
    watcher: BookingWatcher = request.app.state.booking_watcher
    return watcher


RuntimeDep = Annotated[ServiceRuntime, Depends(runtime_of)]
SettingsDep = Annotated[BookingSettings, Depends(_settings)]
WatcherDep = Annotated[BookingWatcher, Depends(_watcher)]
