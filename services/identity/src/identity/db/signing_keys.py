"""Signing keys at rest: encrypted private keys and their public JWKs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Table, Text, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.base import metadata

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
