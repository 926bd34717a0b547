"""Owners' Connect accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.base import metadata, timestamps

owner_accounts = Table(
    "owner_accounts",
    metadata,
    Column("owner_id", Uuid, primary_key=True),
    Column("account_ref", Text, nullable=False, unique=True),
    Column("payouts_enabled", Boolean, nullable=False, server_default="false"),
    Column("synced_at", DateTime(timezone=True), comment="created time of the last event applied"),
    *timestamps(),
)

# Read before every payout's transfer: built once, so SQLAlchemy finds it in its cache.
_OF_OWNER = select(owner_accounts).where(owner_accounts.c.owner_id == bindparam("owner_id"))


async def owner_account(session: AsyncConnection, owner_id: uuid.UUID) -> Any:
    return (await session.execute(_OF_OWNER, {"owner_id": owner_id})).first()


async def owner_account_by_ref(session: AsyncConnection, account_ref: str) -> Any:
    query = (
        select(owner_accounts).where(owner_accounts.c.account_ref == account_ref).with_for_update()
    )
    return (await session.execute(query)).first()


async def add_owner_account(
    session: AsyncConnection, owner_id: uuid.UUID, account_ref: str
) -> None:
    await session.execute(
        pg_insert(owner_accounts)
        .values(owner_id=owner_id, account_ref=account_ref)
        .on_conflict_do_nothing()
    )


async def set_payouts_enabled(
    session: AsyncConnection, account_ref: str, enabled: bool, synced_at: datetime
) -> None:
    await session.execute(
        update(owner_accounts)
        .where(owner_accounts.c.account_ref == account_ref)
        .values(payouts_enabled=enabled, synced_at=synced_at, updated_at=func.now())
    )
