"""Dependencies the booking routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from booking.changes import BookingWatcher
from booking.config import BookingSettings
from booking.db.unit import SqlBookingUnits
from booking.free_time import FreeTime
from booking.repositories import BookingUnits
from service_runtime.service_app import UnitsDep, runtime_of, settings_of


async def _booking_units(units: UnitsDep) -> BookingUnits:
    return SqlBookingUnits(units)


async def _watcher(request: Request) -> BookingWatcher:
    watcher: BookingWatcher = request.app.state.booking_watcher
    return watcher


SettingsDep = Annotated[BookingSettings, Depends(settings_of(BookingSettings))]


async def _free_time(request: Request, settings: SettingsDep) -> FreeTime:
    http = runtime_of(request).http
    return FreeTime(http, settings.availability_url, settings.availability_timeout_seconds)


WatcherDep = Annotated[BookingWatcher, Depends(_watcher)]
FreeTimeDep = Annotated[FreeTime, Depends(_free_time)]
BookingUnitsDep = Annotated[BookingUnits, Depends(_booking_units)]
