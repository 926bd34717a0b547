"""Availability's storage on PostgreSQL: the only code that runs SQL or sees a database error,
one module per aggregate, each a repository class on a session, put together for a use case by
`SqlAvailabilityUnit`. Importing the package registers every table on `metadata`."""

from availability.db.feeds import booker_first_names
from availability.db.tables import inbox, metadata, outbox, user_access
from availability.db.unit import SqlAvailabilityUnit, SqlAvailabilityUnits

__all__ = [
    "SqlAvailabilityUnit",
    "SqlAvailabilityUnits",
    "booker_first_names",
    "inbox",
    "metadata",
    "outbox",
    "user_access",
]
