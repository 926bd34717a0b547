"""Signing keys on in-memory fakes: rotated without a token going bad, re-encrypted under a new
key-encryption key, refused when no configured key opens them."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from cryptography.fernet import Fernet

from identity.config import DEVELOPMENT_KEY_ENCRYPTION_KEY, IdentitySettings
from identity.service import users
from identity.service.signing_keys import SigningKeyUnreadable

from .fakes import FakeIdentityUnits
from .service_world import QuickSettings, StoppedClock, claims_of, signed_up


def kids(jwks: dict[str, list[dict[str, str]]]) -> list[str]:
    return [key["kid"] for key in jwks["keys"]]


async def test_a_rotated_key_signs_new_tokens_while_the_old_one_verifies_its_own(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    [old_kid] = kids(await users.public_keys(units, settings))
    _, before = await signed_up(units, settings, email="before@example.com")

    new_kid = await users.rotate_signing_key(units, settings)
    _, after = await signed_up(units, settings, email="after@example.com")

    assert kids(await users.public_keys(units, settings)) == [new_kid, old_kid]
    assert jwt.get_unverified_header(after.access_token)["kid"] == new_kid
    assert (await claims_of(before.access_token, units, settings))["email"] == "before@example.com"
    clock.now += timedelta(seconds=settings.access_token_ttl_seconds + 1)
    assert kids(await users.public_keys(units, settings)) == [new_kid]


async def test_keys_reencrypted_under_a_new_key_encryption_key_need_only_it(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    new = Fernet.generate_key().decode()
    during = QuickSettings(key_encryption_keys=[new, DEVELOPMENT_KEY_ENCRYPTION_KEY])
    after = QuickSettings(key_encryption_keys=[new])

    assert await users.reencrypt_signing_keys(units, during) == 1

    _, tokens = await signed_up(units, after)
    assert jwt.get_unverified_header(tokens.access_token)["kid"] in kids(
        await users.public_keys(units, after)
    )
    with pytest.raises(SigningKeyUnreadable):
        await signed_up(units, settings, email="old-key@example.com")
