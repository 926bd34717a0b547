"""Availability's unit of work on PostgreSQL: the runtime's transaction and outbox, with
availability's repositories on its session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from availability.db.external_calendars import SqlExternalCalendars
from availability.db.extra_hours import SqlExtraOpeningHours
from availability.db.feeds import SqlCalendarFeeds
from availability.db.free_time import SqlFreeTimeMarks
from availability.db.reservations import SqlReservations, lock
from availability.db.studios import SqlStudios
from availability.repositories import (
    AvailabilityUnit,
    CalendarFeeds,
    ExternalCalendars,
    ExtraOpeningHours,
    FreeTimeMarks,
    Reservations,
    Studios,
)
from contracts import Envelope, Message
from service_runtime.clock import Clock
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork


class SqlAvailabilityUnit:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.now = uow.now
        self.reservations: Reservations = SqlReservations(uow.session)
        self.studios: Studios = SqlStudios(uow.session)
        self.extra_hours: ExtraOpeningHours = SqlExtraOpeningHours(uow.session)
        self.calendar_feeds: CalendarFeeds = SqlCalendarFeeds(uow.session)
        self.free_time: FreeTimeMarks = SqlFreeTimeMarks(uow.session)
        self.external_calendars: ExternalCalendars = SqlExternalCalendars(uow.session)

    async def lock(self, key: str) -> None:
        await lock(self._uow.session, key)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)


@dataclass
class SqlAvailabilityUnits:
    units: UnitsOfWork

    @property
    def clock(self) -> Clock:
        return self.units.clock

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AvailabilityUnit]:
        async with self.units.begin() as uow:
            yield SqlAvailabilityUnit(uow)
