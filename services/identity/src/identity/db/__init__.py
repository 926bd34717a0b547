"""Identity's tables and the queries over them, one module per aggregate.

Each module's repository (`SqlUsers`, …) implements a Protocol of identity.repositories;
`unit.py` puts them on one transaction. Importing the package registers every table on
`metadata`, which Alembic compares with the migrations.
"""

from __future__ import annotations

from identity.db import account_links, clerk_deliveries, refresh_tokens, signing_keys, users
from identity.db.base import metadata

__all__ = [
    "account_links",
    "clerk_deliveries",
    "metadata",
    "refresh_tokens",
    "signing_keys",
    "users",
]
