"""Signing keys at rest: encrypted private keys and their public JWKs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from identity.db.base import lock_until_commit, metadata
from identity.repositories import StoredSigningKey

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_key_encrypted", Text),  # Fernet token of the PKCS#8 PEM
    # Plaintext, written only by identities of before encryption at rest while this one rolls
    # out; sealed (encrypted, emptied) on first use or by `reencrypt-keys`. Dropped later.
    Column("private_key_pem", Text),
    CheckConstraint(
        "private_key_encrypted IS NOT NULL OR private_key_pem IS NOT NULL",
        name="signing_keys_private_key_kept",
    ),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)


def _stored(row: Any) -> StoredSigningKey:
    return StoredSigningKey(
        row.kid, row.private_key_encrypted, row.private_key_pem, row.public_jwk, row.retired_at
    )


class SqlSigningKeys:
    """Signing keys on PostgreSQL (identity.repositories.SigningKeys)."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def lock(self) -> None:
        """Held to commit: replicas starting together must not each create an active key."""
        await lock_until_commit(self._session, "identity.signing_keys")

    async def valid(self, *, retired_after: datetime) -> list[StoredSigningKey]:
        """Keys that still sign or verify, newest first: active ones and those retired after
        the given time."""
        rows = await self._session.execute(
            select(signing_keys)
            .where(
                or_(signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > retired_after)
            )
            .order_by(signing_keys.c.created_at.desc())
        )
        return [_stored(row) for row in rows]

    async def active(self) -> list[StoredSigningKey]:
        """The keys that sign new tokens, newest first: one, unless replicas raced to make it."""
        rows = await self._session.execute(
            select(signing_keys)
            .where(signing_keys.c.retired_at.is_(None))
            .order_by(signing_keys.c.created_at.desc())
        )
        return [_stored(row) for row in rows]

    async def every(self) -> list[StoredSigningKey]:
        return [_stored(row) for row in await self._session.execute(select(signing_keys))]

    async def add(
        self, *, kid: str, private_key_encrypted: str, public_jwk: dict[str, Any], now: datetime
    ) -> None:
        await self._session.execute(
            insert(signing_keys).values(
                kid=kid,
                private_key_encrypted=private_key_encrypted,
                public_jwk=public_jwk,
                created_at=now,
            )
        )

    async def retire_active(self, now: datetime) -> None:
        await self._session.execute(
            update(signing_keys).where(signing_keys.c.retired_at.is_(None)).values(retired_at=now)
        )

    async def seal(self, kid: str, private_key_encrypted: str) -> None:
        """Keep the key encrypted only: any plaintext copy goes."""
        await self._session.execute(
            update(signing_keys)
            .where(signing_keys.c.kid == kid)
            .values(private_key_encrypted=private_key_encrypted, private_key_pem=None)
        )
