"""What every table module shares: the metadata, and the runtime's own tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, MetaData, func

from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()


def timestamps() -> list[Column[Any]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)
