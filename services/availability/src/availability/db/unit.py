"""Availability's unit of work on PostgreSQL: the runtime's transaction and outbox, with
availability's repositories on its session."""

from __future__ import annotations

from availability.db.external_calendars import SqlExternalCalendars
from availability.db.extra_hours import SqlExtraOpeningHours
from availability.db.feeds import SqlCalendarFeeds
from availability.db.free_time import SqlFreeTimeMarks
from availability.db.reservations import SqlReservations, lock
from availability.db.schedules import SqlRoomSchedules
from availability.db.studios import SqlStudios
from availability.repositories import (
    CalendarFeeds,
    ExternalCalendars,
    ExtraOpeningHours,
    FreeTimeMarks,
    Reservations,
    RoomSchedules,
    Studios,
)
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


class SqlAvailabilityUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.reservations: Reservations = SqlReservations(uow.session)
        self.studios: Studios = SqlStudios(uow.session)
        self.extra_hours: ExtraOpeningHours = SqlExtraOpeningHours(uow.session)
        self.schedules: RoomSchedules = SqlRoomSchedules(uow.session)
        self.calendar_feeds: CalendarFeeds = SqlCalendarFeeds(uow.session)
        self.free_time: FreeTimeMarks = SqlFreeTimeMarks(uow.session)
        self.external_calendars: ExternalCalendars = SqlExternalCalendars(uow.session)

    async def lock(self, key: str) -> None:
        await lock(self._uow.session, key)


class SqlAvailabilityUnits(RepositoryUnits[SqlAvailabilityUnit]):
    def unit(self, uow: UnitOfWork) -> SqlAvailabilityUnit:
        return SqlAvailabilityUnit(uow)
