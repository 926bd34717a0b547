"""Identity's tables and the queries over them, one module per aggregate.

Callers import the module they need (`from identity.db.users import user_by_id`). Importing
the package registers every table on `metadata`, which Alembic compares with the migrations.
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
