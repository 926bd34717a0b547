"""Notifications' unit of work on PostgreSQL: the runtime's transaction with notifications'
repositories on its session."""

from __future__ import annotations

from notifications.db.emails import SqlEmails
from notifications.db.preferences import SqlPreferences
from notifications.db.read_model import SqlReadModel
from notifications.db.reminders import SqlReminders
from notifications.repositories import (
    Emails,
    PreferencesStore,
    ReadModel,
    Reminders,
)
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


class SqlNotificationsUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.read_model: ReadModel = SqlReadModel(uow.session)
        self.preferences: PreferencesStore = SqlPreferences(uow.session)
        self.emails: Emails = SqlEmails(uow.session)
        self.reminders: Reminders = SqlReminders(uow.session)


class SqlNotificationsUnits(RepositoryUnits[SqlNotificationsUnit]):
    def unit(self, uow: UnitOfWork) -> SqlNotificationsUnit:
        return SqlNotificationsUnit(uow)
