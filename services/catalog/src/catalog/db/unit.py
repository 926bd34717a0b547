"""Catalog's unit of work on PostgreSQL: the runtime's transaction and outbox, with catalog's
repositories on its session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from catalog.db.bookings import SqlBookings
from catalog.db.free_time import replace_free_time
from catalog.db.reviews import SqlReviews
from catalog.db.studio_search import search_studios
from catalog.db.studios import SqlStudios
from catalog.repositories import Bookings, CatalogUnit, FreeTimes, Reviews, Search, Studios
from contracts import Envelope, Message
from service_runtime.clock import Clock
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork


class SqlCatalogUnit:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.now = uow.now
        self.studios: Studios = SqlStudios(uow.session)
        self.search: Search = partial(search_studios, uow.session)
        self.replace_free_time: FreeTimes = partial(replace_free_time, uow.session)
        self.reviews: Reviews = SqlReviews(uow.session)
        self.bookings: Bookings = SqlBookings(uow.session)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)


@dataclass
class SqlCatalogUnits:
    units: UnitsOfWork

    @property
    def clock(self) -> Clock:
        return self.units.clock

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[CatalogUnit]:
        async with self.units.begin() as uow:
            yield SqlCatalogUnit(uow)
