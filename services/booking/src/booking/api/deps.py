"""Dependencies the booking routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from booking.changes import BookingWatcher
from booking.config import BookingSettings
from booking.db.unit import SqlBookingUnits
from booking.repositories import BookingUnits
from service_runtime.service_app import UnitsDep, settings_of


def _booking_units(units: UnitsDep) -> BookingUnits:
    return SqlBookingUnits(units)


def _watcher(request: Request) -> BookingWatcher:
    watcher: BookingWatcher = request.app.state.booking_watcher
    return watcher


SettingsDep = Annotated[BookingSettings, Depends(settings_of(BookingSettings))]
WatcherDep = Annotated[BookingWatcher, Depends(_watcher)]
BookingUnitsDep = Annotated[BookingUnits, Depends(_booking_units)]
