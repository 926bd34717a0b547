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

from identity.repositories import SigningKeys, StoredSigningKey

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


def _decrypted(stored: StoredSigningKey, cipher: MultiFernet) -> SigningKey:
    assert stored.private_key_encrypted is not None  # the table's check constraint
    try:
        pem = cipher.decrypt(stored.private_key_encrypted.encode()).decode()
    except InvalidToken:
        raise SigningKeyUnreadable(stored.kid) from None
    return SigningKey(stored.kid, pem, stored.public_jwk)


async def _add(keys: SigningKeys, now: datetime, cipher: MultiFernet) -> SigningKey:
    key = generate_signing_key()
    await keys.add(
        kid=key.kid,
        private_key_encrypted=cipher.encrypt(key.private_key_pem.encode()).decode(),
        public_jwk=key.public_jwk,
        now=now,
    )
    return key


async def active_key(keys: SigningKeys, now: datetime, cipher: MultiFernet) -> SigningKey:
    """The key new tokens are signed with, created on first use."""
    active = await keys.active()
    if not active:
        await keys.lock()
        active = await keys.active()
    if active and active[0].private_key_pem is not None:
        await keys.lock()
        await _seal(keys, active[0], cipher)
        return SigningKey(active[0].kid, active[0].private_key_pem, active[0].public_jwk)
    if active:
        return _decrypted(active[0], cipher)
    return await _add(keys, now, cipher)


async def rotate(keys: SigningKeys, now: datetime, cipher: MultiFernet) -> SigningKey:
    """Make a new active key; the old one stays in the JWKS until its last token expires."""
    await keys.lock()
    await keys.retire_active(now)
    return await _add(keys, now, cipher)


async def reencrypt(keys: SigningKeys, cipher: MultiFernet) -> int:
    """Encrypt every stored key under the newest key-encryption key; how many there were.

    Run after prepending a new key-encryption key; then the old one may be dropped.
    """
    await keys.lock()
    stored = await keys.every()
    for key in stored:
        await _seal(keys, key, cipher)
    return len(stored)


async def _seal(keys: SigningKeys, stored: StoredSigningKey, cipher: MultiFernet) -> None:
    """Store the key encrypted under the newest key-encryption key, and no plaintext.

    A plaintext key is one an identity of before encryption at rest made during the rollout.
    """
    if stored.private_key_pem is not None:
        sealed = cipher.encrypt(stored.private_key_pem.encode())
    else:
        assert stored.private_key_encrypted is not None  # the table's check constraint
        try:
            sealed = cipher.rotate(stored.private_key_encrypted.encode())
        except InvalidToken:
            raise SigningKeyUnreadable(stored.kid) from None
    await keys.seal(stored.kid, sealed.decode())


async def jwks(keys: SigningKeys, now: datetime, token_ttl: timedelta) -> dict[str, Any]:
    """Public keys that may have signed a still-valid token."""
    valid = await keys.valid(retired_after=now - token_ttl)
    return {"keys": [key.public_jwk for key in valid]}
