"""What every table module shares: the metadata, the runtime's own tables, and how a hot
INSERT ... ON CONFLICT DO NOTHING is written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, Table, bindparam, func, text

from service_runtime.db import DriverStatement
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


def insert_or_nothing(
    table: Table, columns: Sequence[str], *, returning: str, target: str = ""
) -> DriverStatement:
    """`INSERT INTO table (columns) ... ON CONFLICT [target] DO NOTHING RETURNING returning`,
    each value bound with its column's type (JSONB serialized, the casts insert() renders),
    compiled once and run on the driver (`DriverStatement`)."""
    values = ", ".join(f":{name}" for name in columns)
    conflict = f"ON CONFLICT {target} DO NOTHING" if target else "ON CONFLICT DO NOTHING"
    return DriverStatement(
        text(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({values})"
            f" {conflict} RETURNING {returning}"
        ).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))
    )
