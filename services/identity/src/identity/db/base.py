"""What every table module shares: the metadata, the runtime's own tables, named locks."""

from __future__ import annotations

from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


async def lock_until_commit(session: AsyncConnection, name: str) -> None:
    """Wait for, then hold to commit, the transaction-level advisory lock of this name.

    The key is `hashtext(name)`: replicas of older and newer versions running side by side
    during a deploy must compute the same one.
    """
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
