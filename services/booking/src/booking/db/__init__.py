"""Booking's storage on PostgreSQL: the tables, one repository per aggregate (the only code
that runs SQL), and the unit of work that puts them on one transaction."""

from booking.db.tables import metadata

__all__ = ["metadata"]
