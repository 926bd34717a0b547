"""Catalog's unit of work on PostgreSQL: the runtime's transaction and outbox, with catalog's
repositories on its session."""

from __future__ import annotations

from functools import partial

from catalog.db.bookings import SqlBookings
from catalog.db.free_time import replace_free_time
from catalog.db.reviews import SqlReviews
from catalog.db.studio_search import search_studios
from catalog.db.studios import SqlStudios
from catalog.repositories import Bookings, FreeTimes, Reviews, Search, Studios
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


class SqlCatalogUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.studios: Studios = SqlStudios(uow.session)
        self.search: Search = partial(search_studios, uow.session)
        self.replace_free_time: FreeTimes = partial(replace_free_time, uow.session)
        self.reviews: Reviews = SqlReviews(uow.session)
        self.bookings: Bookings = SqlBookings(uow.session)


class SqlCatalogUnits(RepositoryUnits[SqlCatalogUnit]):
    def unit(self, uow: UnitOfWork) -> SqlCatalogUnit:
        return SqlCatalogUnit(uow)
