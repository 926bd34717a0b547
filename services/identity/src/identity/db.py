"""Identity's tables and the queries over them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.identity import Role
from identity.domain.users import User
from service_runtime.messaging_tables import inbox_table, outbox_table

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("password_hash", Text),
    Column("clerk_user_id", Text, unique=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_key_pem", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)

clerk_webhook_deliveries = Table(
    "clerk_webhook_deliveries",
    metadata,
    Column("svix_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        clerk_user_id=row.clerk_user_id,
        deleted=row.deleted_at is not None,
    )


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    row = (await session.execute(select(users).where(users.c.id == user_id))).first()
    return _user(row) if row else None


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    row = (await session.execute(select(users).where(users.c.email == email))).first()
    return _user(row) if row else None


async def user_by_clerk_id(session: AsyncSession, clerk_user_id: str) -> User | None:
    row = (
        await session.execute(select(users).where(users.c.clerk_user_id == clerk_user_id))
    ).first()
    return _user(row) if row else None


async def user_matching(session: AsyncSession, clerk_user_id: str, email: str) -> User | None:
    """The user Clerk means: by Clerk id, or an existing local account with the same email."""
    row = (
        await session.execute(
            select(users)
            .where(or_(users.c.clerk_user_id == clerk_user_id, users.c.email == email))
            .order_by(users.c.clerk_user_id.is_(None))
            .limit(1)
        )
    ).first()
    return _user(row) if row else None


async def add_user(session: AsyncSession, user: User) -> None:
    await session.execute(
        insert(users).values(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role.value,
            password_hash=user.password_hash,
            clerk_user_id=user.clerk_user_id,
        )
    )


async def save_user(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(
            email=user.email,
            name=user.name,
            role=user.role.value,
            clerk_user_id=user.clerk_user_id,
            deleted_at=func.now() if user.deleted else None,
            updated_at=func.now(),
            version=users.c.version + 1,
        )
    )


async def record_clerk_delivery(session: AsyncSession, svix_id: str, event_type: str) -> bool:
    """False when this svix message id was processed before."""
    result = await session.execute(
        pg_insert(clerk_webhook_deliveries)
        .values(svix_id=svix_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(clerk_webhook_deliveries.c.svix_id)
    )
    return result.first() is not None


async def signing_key_rows(session: AsyncSession, *, retired_after: datetime) -> list[Any]:
    """Keys that still sign or verify: active ones and those retired after the given time."""
    return list(
        (
            await session.execute(
                select(signing_keys)
                .where(
                    or_(
                        signing_keys.c.retired_at.is_(None),
                        signing_keys.c.retired_at > retired_after,
                    )
                )
                .order_by(signing_keys.c.created_at.desc())
            )
        ).all()
    )
