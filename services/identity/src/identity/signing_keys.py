"""RSA signing keys with key ids: create, sign tokens, publish as JWKS, rotate."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity import db

ALGORITHM = "RS256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key_pem: str
    public_jwk: dict[str, Any]


def generate_signing_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_urlsafe(12)
    public_jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    public_jwk.update(kid=kid, alg=ALGORITHM, use="sig")
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKey(kid=kid, private_key_pem=pem, public_jwk=public_jwk)


def sign(claims: dict[str, object], key: SigningKey) -> str:
    return jwt.encode(claims, key.private_key_pem, algorithm=ALGORITHM, headers={"kid": key.kid})


async def _lock_keys(session: AsyncSession) -> None:
    # Replicas starting together must not each create an active key.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))"))


async def _store(session: AsyncSession, key: SigningKey, now: datetime) -> None:
    await session.execute(
        insert(db.signing_keys).values(
            kid=key.kid,
            private_key_pem=key.private_key_pem,
            public_jwk=key.public_jwk,
            created_at=now,
        )
    )


async def active_key(session: AsyncSession, now: datetime) -> SigningKey:
    """The key new tokens are signed with, created on first use."""
    rows = await db.signing_key_rows(session, retired_after=now)
    active = [row for row in rows if row.retired_at is None]
    if not active:
        await _lock_keys(session)
        rows = await db.signing_key_rows(session, retired_after=now)
        active = [row for row in rows if row.retired_at is None]
    if active:
        row = active[0]
        return SigningKey(row.kid, row.private_key_pem, row.public_jwk)
    key = generate_signing_key()
    await _store(session, key, now)
    return key


async def rotate(session: AsyncSession, now: datetime) -> SigningKey:
    """Make a new active key; the old one stays in the JWKS until its last token expires."""
    await _lock_keys(session)
    await session.execute(
        update(db.signing_keys).where(db.signing_keys.c.retired_at.is_(None)).values(retired_at=now)
    )
    key = generate_signing_key()
    await _store(session, key, now)
    return key


async def jwks(session: AsyncSession, now: datetime, token_ttl: timedelta) -> dict[str, Any]:
    """Public keys that may have signed a still-valid token."""
    rows = await db.signing_key_rows(session, retired_after=now - token_ttl)
    return {"keys": [row.public_jwk for row in rows]}
