"""RSA signing keys with key ids: create, sign tokens, publish as JWKS, rotate.

Private keys are stored encrypted under the key-encryption keys from the environment
(IdentitySettings.key_cipher): a database dump alone cannot mint tokens.
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.fernet import InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.signing_keys import signing_key_rows, signing_keys

ALGORITHM = "RS256"


class SigningKeyUnreadable(Exception):
    """A stored signing key is encrypted under none of the configured key-encryption keys."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"Signing key {kid} cannot be decrypted with the configured keys.")
        self.kid = kid


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
    return jwt.encode(
        claims, _loaded(key.private_key_pem), algorithm=ALGORITHM, headers={"kid": key.kid}
    )


@functools.lru_cache(maxsize=8)
def _loaded(private_key_pem: str) -> rsa.RSAPrivateKey:
    """The parsed key, kept: parsing checks the RSA key (~0.1 s of CPU, on the event loop),
    while signing with it takes about a millisecond. A handful of keys are live at a time."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


async def _lock_keys(session: AsyncSession) -> None:
    # Replicas starting together must not each create an active key.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))"))


async def _store(
    session: AsyncSession, key: SigningKey, now: datetime, cipher: MultiFernet
) -> None:
    await session.execute(
        insert(signing_keys).values(
            kid=key.kid,
            private_key_encrypted=cipher.encrypt(key.private_key_pem.encode()).decode(),
            public_jwk=key.public_jwk,
            created_at=now,
        )
    )


def _decrypted(row: Any, cipher: MultiFernet) -> SigningKey:
    try:
        pem = cipher.decrypt(row.private_key_encrypted.encode()).decode()
    except InvalidToken:
        raise SigningKeyUnreadable(row.kid) from None
    return SigningKey(row.kid, pem, row.public_jwk)


async def active_key(session: AsyncSession, now: datetime, cipher: MultiFernet) -> SigningKey:
    """The key new tokens are signed with, created on first use."""
    rows = await signing_key_rows(session, retired_after=now)
    active = [row for row in rows if row.retired_at is None]
    if not active:
        await _lock_keys(session)
        rows = await signing_key_rows(session, retired_after=now)
        active = [row for row in rows if row.retired_at is None]
    if active and active[0].private_key_pem is not None:
        await _lock_keys(session)
        await _seal(session, active[0], cipher)
        return SigningKey(active[0].kid, active[0].private_key_pem, active[0].public_jwk)
    if active:
        return _decrypted(active[0], cipher)
    key = generate_signing_key()
    await _store(session, key, now, cipher)
    return key


async def rotate(session: AsyncSession, now: datetime, cipher: MultiFernet) -> SigningKey:
    """Make a new active key; the old one stays in the JWKS until its last token expires."""
    await _lock_keys(session)
    await session.execute(
        update(signing_keys).where(signing_keys.c.retired_at.is_(None)).values(retired_at=now)
    )
    key = generate_signing_key()
    await _store(session, key, now, cipher)
    return key


async def reencrypt(session: AsyncSession, cipher: MultiFernet) -> int:
    """Encrypt every stored key under the newest key-encryption key; how many there were.

    Run after prepending a new key-encryption key; then the old one may be dropped.
    """
    await _lock_keys(session)
    rows = (await session.execute(select(signing_keys))).all()
    for row in rows:
        await _seal(session, row, cipher)
    return len(rows)


async def _seal(session: AsyncSession, row: Any, cipher: MultiFernet) -> None:
    """Store the row's key encrypted under the newest key-encryption key, and no plaintext.

    A plaintext key is one an identity of before encryption at rest made during the rollout.
    """
    if row.private_key_pem is not None:
        sealed = cipher.encrypt(row.private_key_pem.encode())
    else:
        try:
            sealed = cipher.rotate(row.private_key_encrypted.encode())
        except InvalidToken:
            raise SigningKeyUnreadable(row.kid) from None
    await session.execute(
        update(signing_keys)
        .where(signing_keys.c.kid == row.kid)
        .values(private_key_encrypted=sealed.decode(), private_key_pem=None)
    )


async def jwks(session: AsyncSession, now: datetime, token_ttl: timedelta) -> dict[str, Any]:
    """Public keys that may have signed a still-valid token."""
    rows = await signing_key_rows(session, retired_after=now - token_ttl)
    return {"keys": [row.public_jwk for row in rows]}
