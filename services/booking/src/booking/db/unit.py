"""Booking's unit of work on PostgreSQL: the runtime's transaction and outbox, with booking's
repositories on its session."""

from __future__ import annotations

from booking.db.bookings import SqlBookings
from booking.db.chat import SqlChat
from booking.db.history import SqlHistory
from booking.db.idempotency import SqlIdempotencyKeys
from booking.db.studios import SqlStudios
from booking.repositories import (
    Bookings,
    Chat,
    History,
    IdempotencyKeys,
    Studios,
)
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


class SqlBookingUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.bookings: Bookings = SqlBookings(uow.session)
        self.studios: Studios = SqlStudios(uow.session)
        self.history: History = SqlHistory(uow.session)
        self.chat: Chat = SqlChat(uow.session)
        self.idempotency_keys: IdempotencyKeys = SqlIdempotencyKeys(uow.session)


class SqlBookingUnits(RepositoryUnits[SqlBookingUnit]):
    def unit(self, uow: UnitOfWork) -> SqlBookingUnit:
        return SqlBookingUnit(uow)
