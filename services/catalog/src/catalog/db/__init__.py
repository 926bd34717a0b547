"""Catalog's tables and the queries over them, one module per aggregate.

Callers import the module they need (`from catalog.db.studios import studio_by`). Importing
the package registers every table on `metadata`, which Alembic compares with the migrations.
"""

from __future__ import annotations

from catalog.db import base, bookings, free_time, reviews, studios
from catalog.db.base import metadata

__all__ = ["base", "bookings", "free_time", "metadata", "reviews", "studios"]
