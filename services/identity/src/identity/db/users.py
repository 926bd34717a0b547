"""People: their accounts, roles, passwords and verified emails."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.identity import Role
from identity.db.base import lock_until_commit, metadata
from identity.domain.user_directory import ListedUser, UserCursor
from identity.domain.users import EmailTaken, User

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
    # Clerk's time of the last event applied: an older event arriving late changes nothing.
    Column("clerk_event_at", DateTime(timezone=True)),
    Column("email_verified_at", DateTime(timezone=True)),  # cleared when the email changes
    Index("users_newest_first", text("created_at DESC"), "id"),  # the admins' list
)
# PostgreSQL's name for the unique constraint on the email (the migration leaves it unnamed).
EMAIL_UNIQUE = "users_email_key"


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        clerk_user_id=row.clerk_user_id,
        deleted=row.deleted_at is not None,
        clerk_event_at=row.clerk_event_at,
        email_verified=row.email_verified_at is not None,
    )


class SqlUsers:
    """Users on PostgreSQL (identity.repositories.Users)."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        row = (await self._session.execute(select(users).where(users.c.id == user_id))).first()
        return _user(row) if row else None

    async def by_email(self, email: str) -> User | None:
        row = (await self._session.execute(select(users).where(users.c.email == email))).first()
        return _user(row) if row else None

    async def listed(
        self, *, text_in: str | None, limit: int, after: UserCursor | None
    ) -> list[ListedUser]:
        """Live users, newest first, whose email or name contains the text (any case)."""
        query = select(users).where(users.c.deleted_at.is_(None))
        if text_in:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text_in) + "%"
            query = query.where(or_(users.c.email.ilike(pattern), users.c.name.ilike(pattern)))
        if after is not None:
            query = query.where(
                or_(
                    users.c.created_at < after.created_at,
                    and_(users.c.created_at == after.created_at, users.c.id > after.last_id),
                )
            )
        query = query.order_by(users.c.created_at.desc(), users.c.id).limit(limit)
        rows = (await self._session.execute(query)).all()
        return [ListedUser(_user(row), row.created_at) for row in rows]

    async def by_clerk_id(self, clerk_user_id: str) -> User | None:
        row = (
            await self._session.execute(select(users).where(users.c.clerk_user_id == clerk_user_id))
        ).first()
        return _user(row) if row else None

    async def locked(self, user_id: uuid.UUID) -> User | None:
        """The user, their row locked until commit: two changes at once run one after the
        other."""
        row = (
            await self._session.execute(
                select(users).where(users.c.id == user_id).with_for_update()
            )
        ).first()
        return _user(row) if row else None

    async def add(self, user: User) -> None:
        """Raises EmailTaken when another account has the email, one added concurrently too."""
        try:
            await self._insert(user)
        except IntegrityError as error:
            if _violated_constraint(error) == EMAIL_UNIQUE:
                raise EmailTaken(user.email) from None
            raise

    async def _insert(self, user: User) -> None:
        await self._session.execute(
            insert(users).values(
                id=user.id,
                email=user.email,
                name=user.name,
                role=user.role.value,
                password_hash=user.password_hash,
                clerk_user_id=user.clerk_user_id,
                deleted_at=func.now() if user.deleted else None,
                clerk_event_at=user.clerk_event_at,
            )
        )

    async def save(self, user: User) -> None:
        await self._session.execute(
            update(users)
            .where(users.c.id == user.id)
            .values(
                email=user.email,
                name=user.name,
                role=user.role.value,
                clerk_user_id=user.clerk_user_id,
                deleted_at=func.coalesce(users.c.deleted_at, func.now()) if user.deleted else None,
                clerk_event_at=user.clerk_event_at,
                # A new address is not verified by the old one's link.
                email_verified_at=case(
                    (users.c.email == user.email, users.c.email_verified_at), else_=None
                ),
                updated_at=func.now(),
                version=users.c.version + 1,
            )
        )

    async def other_admins(self, user_id: uuid.UUID) -> int:
        """How many admins there are besides this user, counted under a lock held to commit.

        Two admins demoting each other at once then count one after the other: one of them
        stays.
        """
        await lock_until_commit(self._session, "identity.admins")
        count = await self._session.scalar(
            select(func.count())
            .select_from(users)
            .where(
                users.c.role == Role.ADMIN.value,
                users.c.deleted_at.is_(None),
                users.c.id != user_id,
            )
        )
        return int(count or 0)

    async def mark_email_verified(self, user_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(users)
            .where(users.c.id == user_id, users.c.email_verified_at.is_(None))
            .values(email_verified_at=now, updated_at=now)
        )

    async def clear_password_and_verification(self, user_id: uuid.UUID) -> None:
        """What save leaves of an erased account: its password hash and verified mark."""
        await self._session.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=None, email_verified_at=None)
        )

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, now: datetime
    ) -> None:
        await self._session.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=password_hash, updated_at=now, version=users.c.version + 1)
        )


def _violated_constraint(error: IntegrityError) -> str | None:
    diagnostic = getattr(error.orig, "diag", None)  # psycopg's, naming what was violated
    return getattr(diagnostic, "constraint_name", None)
