"""Links mailed to people (email verification, password reset), by digest."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from identity.db.base import metadata
from identity.db.users import SqlUsers
from identity.domain.account_links import LinkPurpose, StoredLink

account_links = Table(
    "account_links",
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 hex of the link's token; never the token
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("account_links_user", "user_id", "purpose"),
    Index("account_links_expiry", "expires_at"),
)


class SqlAccountLinks:
    """Mailed links on PostgreSQL (identity.repositories.AccountLinks)."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def replace(self, link: StoredLink, now: datetime) -> None:
        """Store a new link, dropping the person's older ones of its kind and any long
        expired."""
        await self._session.execute(
            delete(account_links).where(
                or_(
                    and_(
                        account_links.c.user_id == link.user_id,
                        account_links.c.purpose == link.purpose.value,
                    ),
                    account_links.c.expires_at < now,
                )
            )
        )
        await self._session.execute(
            insert(account_links).values(
                digest=link.digest,
                user_id=link.user_id,
                purpose=link.purpose.value,
                created_at=now,
                expires_at=link.expires_at,
            )
        )

    async def newest_at(self, user_id: uuid.UUID, purpose: LinkPurpose) -> datetime | None:
        """When the person's last link of this kind was made, locked with the user's row so
        two requests at once do not both send one."""
        await SqlUsers(self._session).locked(user_id)
        newest: datetime | None = await self._session.scalar(
            select(func.max(account_links.c.created_at)).where(
                account_links.c.user_id == user_id, account_links.c.purpose == purpose.value
            )
        )
        return newest

    async def locked(self, digest: str) -> StoredLink | None:
        """The link with this digest, locked until commit so it is used once however often
        sent."""
        row = (
            await self._session.execute(
                select(account_links).where(account_links.c.digest == digest).with_for_update()
            )
        ).first()
        if row is None:
            return None
        return StoredLink(
            row.digest, row.user_id, LinkPurpose(row.purpose), row.expires_at, row.used_at
        )

    async def use(self, digest: str, now: datetime) -> None:
        await self._session.execute(
            update(account_links).where(account_links.c.digest == digest).values(used_at=now)
        )

    async def delete_of(self, user_id: uuid.UUID) -> None:
        """Every link mailed to the person gone (an erased account keeps none)."""
        await self._session.execute(delete(account_links).where(account_links.c.user_id == user_id))
