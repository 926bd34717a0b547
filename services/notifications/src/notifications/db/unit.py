"""Notifications' unit of work on PostgreSQL: the runtime's transaction with notifications'
repositories on its session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from notifications.db.emails import SqlEmails
from notifications.db.preferences import SqlPreferences
from notifications.db.read_model import SqlReadModel
from notifications.db.reminders import SqlReminders
from notifications.repositories import (
    Emails,
    NotificationsUnit,
    PreferencesStore,
    ReadModel,
    Reminders,
)
from service_runtime.clock import Clock
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork


class SqlNotificationsUnit:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.now = uow.now
        self.read_model: ReadModel = SqlReadModel(uow.session)
        self.preferences: PreferencesStore = SqlPreferences(uow.session)
        self.emails: Emails = SqlEmails(uow.session)
        self.reminders: Reminders = SqlReminders(uow.session)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._uow.after_commit(callback)


@dataclass
class SqlNotificationsUnits:
    units: UnitsOfWork

    @property
    def clock(self) -> Clock:
        return self.units.clock

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[NotificationsUnit]:
        async with self.units.begin() as uow:
            yield SqlNotificationsUnit(uow)
