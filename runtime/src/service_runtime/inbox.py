"""Idempotent inbox: a message's effect is applied once, however often it is delivered."""

from __future__ import annotations

import functools
import uuid
from typing import LiteralString

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from service_runtime.db import driver_of


async def first_delivery(
    session: AsyncConnection,
    inbox: Table,
    *,
    message_id: uuid.UUID,
    message_type: str,
    consumer: str,
) -> bool:
    """Record the message id in the caller's transaction; False when it was handled before.

    A concurrent duplicate waits on the primary key until the first commits or rolls back.
    """
    driver = await driver_of(session)
    cursor = await driver.execute(_recording(inbox.fullname), (message_id, consumer, message_type))
    return await cursor.fetchone() is not None


@functools.cache
def _recording(table_name: str) -> LiteralString:
    # On the driver (`driver_of`): this runs for every message consumed.
    return (
        f"INSERT INTO {table_name} (message_id, consumer, message_type) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING RETURNING message_id"
    )
