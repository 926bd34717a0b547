"""Refresh token families (one per sign-in) and the digests of their tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from identity.db.base import metadata
from identity.domain.refresh_tokens import Family, StoredToken

refresh_token_families = Table(
    "refresh_token_families",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # When its newest token expires: a family idle past it can only be pruned.
    Column("idle_expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
    Index("refresh_token_families_user", "user_id"),
    Index("refresh_token_families_expiry", "expires_at"),
    Index("refresh_token_families_idle_expiry", "idle_expires_at"),
    Index(
        "refresh_token_families_revoked",
        "revoked_at",
        postgresql_where=text("revoked_at IS NOT NULL"),
    ),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 hex of the token; never the token
    Column(
        "family_id",
        Uuid,
        ForeignKey("refresh_token_families.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("refresh_tokens_family", "family_id"),
    Index("refresh_tokens_expiry", "expires_at"),
)


def _family(row: Any) -> Family:
    return Family(
        id=row.id, user_id=row.user_id, expires_at=row.expires_at, revoked_at=row.revoked_at
    )


def _stored_token(row: Any) -> StoredToken:
    return StoredToken(
        digest=row.digest,
        family_id=row.family_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlRefreshTokens:
    """Refresh token families and tokens on PostgreSQL (identity.repositories.RefreshTokens)."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add_family(self, family: Family, now: datetime) -> None:
        await self._session.execute(
            insert(refresh_token_families).values(
                id=family.id,
                user_id=family.user_id,
                created_at=now,
                expires_at=family.expires_at,
                idle_expires_at=now,
            )
        )

    async def add_token(self, token: StoredToken, now: datetime) -> None:
        """Store the digest of a family's next token; the family stays alive as long as it."""
        await self._session.execute(
            insert(refresh_tokens).values(
                digest=token.digest,
                family_id=token.family_id,
                issued_at=now,
                expires_at=token.expires_at,
            )
        )
        await self._session.execute(
            update(refresh_token_families)
            .where(refresh_token_families.c.id == token.family_id)
            .values(
                idle_expires_at=func.greatest(
                    refresh_token_families.c.idle_expires_at, token.expires_at
                )
            )
        )

    async def locked(self, digest: str) -> tuple[Family | None, StoredToken | None]:
        """The token with this digest and its family, the family locked until commit.

        Every change to a family's tokens takes this lock first, so two refreshes with one
        token run one after the other: the second reads the token the first used up.
        """
        family_id = await self._session.scalar(
            select(refresh_tokens.c.family_id).where(refresh_tokens.c.digest == digest)
        )
        if family_id is None:
            return None, None
        family_row = (
            await self._session.execute(
                select(refresh_token_families)
                .where(refresh_token_families.c.id == family_id)
                .with_for_update()
            )
        ).first()
        # Read again under the lock: the statement sees what committed while it waited.
        token_row = (
            await self._session.execute(
                select(refresh_tokens).where(refresh_tokens.c.digest == digest)
            )
        ).first()
        if family_row is None or token_row is None:  # pruned meanwhile
            return None, None
        return _family(family_row), _stored_token(token_row)

    async def use(self, digest: str, now: datetime) -> None:
        await self._session.execute(
            update(refresh_tokens).where(refresh_tokens.c.digest == digest).values(used_at=now)
        )

    async def revoke_family(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self._revoke(refresh_token_families.c.id == family_id, now, reason)

    async def revoke_families_of(self, user_id: uuid.UUID, now: datetime, reason: str) -> None:
        """End every sign-in of the user (a password reset: whoever knew the old one is out)."""
        await self._revoke(refresh_token_families.c.user_id == user_id, now, reason)

    async def _revoke(self, which: ColumnElement[bool], now: datetime, reason: str) -> None:
        """Revoke the families not revoked yet: the first reason and time stay."""
        await self._session.execute(
            update(refresh_token_families)
            .where(which, refresh_token_families.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )

    async def delete_families_of(self, user_id: uuid.UUID) -> None:
        """Every sign-in of the user gone, with its tokens (an erased account keeps none)."""
        await self._session.execute(
            delete(refresh_token_families).where(refresh_token_families.c.user_id == user_id)
        )

    async def prune(self, now: datetime, batch: int) -> int:
        """Delete up to `batch` dead families (with their tokens) and `batch` expired tokens;
        how many rows went. Rows another transaction holds are skipped, never waited for."""
        families = refresh_token_families.c
        dead = (
            select(families.id)
            .where(
                or_(
                    families.expires_at <= now,
                    families.idle_expires_at <= now,
                    families.revoked_at.is_not(None),
                )
            )
            .limit(batch)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        gone = await self._session.execute(
            delete(refresh_token_families).where(families.id.in_(dead))
        )
        expired = (
            select(refresh_tokens.c.digest)
            .where(refresh_tokens.c.expires_at <= now)
            .limit(batch)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        spent = await self._session.execute(
            delete(refresh_tokens).where(refresh_tokens.c.digest.in_(expired))
        )
        return int(gone.rowcount or 0) + int(spent.rowcount or 0)
