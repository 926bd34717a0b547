"""Booking's unit of work on PostgreSQL: the runtime's transaction and outbox, with booking's
repositories on its session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from booking.db.bookings import SqlBookings
from booking.db.chat import SqlChat
from booking.db.history import SqlHistory
from booking.db.idempotency import SqlIdempotencyKeys
from booking.db.studios import SqlStudios
from booking.repositories import (
    Bookings,
    BookingUnit,
    Chat,
    History,
    IdempotencyKeys,
    Studios,
)
from contracts import Envelope, Message
from service_runtime.clock import Clock
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork


class SqlBookingUnit:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.now = uow.now
        self.bookings: Bookings = SqlBookings(uow.session)
        self.studios: Studios = SqlStudios(uow.session)
        self.history: History = SqlHistory(uow.session)
        self.chat: Chat = SqlChat(uow.session)
        self.idempotency_keys: IdempotencyKeys = SqlIdempotencyKeys(uow.session)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)


@dataclass
class SqlBookingUnits:
    units: UnitsOfWork

    @property
    def clock(self) -> Clock:
        return self.units.clock

    @asynccontextmanager
    async def begin(self, *, causation_id: uuid.UUID | None = None) -> AsyncIterator[BookingUnit]:
        async with self.units.begin(causation_id=causation_id) as uow:
            yield SqlBookingUnit(uow)
