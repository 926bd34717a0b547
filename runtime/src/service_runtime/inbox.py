"""Idempotent inbox: a message's effect is applied once, however often it is delivered."""

from __future__ import annotations

import functools
import uuid

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection


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
    result = await session.execute(
        _recording(inbox.fullname),
        {"message_id": message_id, "consumer": consumer, "message_type": message_type},
    )
    return result.first() is not None


@functools.cache
def _recording(table_name: str) -> TextClause:
    # Text, built once: SQLAlchemy 2.0 compiles PostgreSQL's INSERT .. ON CONFLICT anew at
    # every execution (it is not cacheable), and this runs for every message consumed.
    return text(
        f"INSERT INTO {table_name} (message_id, consumer, message_type)"
        " VALUES (:message_id, :consumer, :message_type)"
        " ON CONFLICT DO NOTHING RETURNING message_id"
    )
