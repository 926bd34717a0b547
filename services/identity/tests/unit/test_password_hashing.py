import pytest
from argon2 import extract_parameters, profiles
from cryptography.fernet import Fernet
from pydantic import ValidationError

from identity.config import IdentitySettings

PASSWORD = "correct horse 1"


async def test_new_hashes_use_the_configured_profile_and_any_profile_checks_any_hash() -> None:
    cheapest = IdentitySettings(password_hash_profile="CHEAPEST").password_hashing()
    default = IdentitySettings().password_hashing()

    cheap_hash = await cheapest.hash(PASSWORD)
    strong_hash = await default.hash(PASSWORD)

    assert extract_parameters(cheap_hash) == profiles.CHEAPEST
    assert extract_parameters(strong_hash) == profiles.RFC_9106_LOW_MEMORY
    assert await cheapest.verify(strong_hash, PASSWORD)
    assert await default.verify(cheap_hash, PASSWORD)
    assert not await cheapest.verify(strong_hash, "wrong horse 1")


def test_production_refuses_the_cheapest_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_KEY_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    with pytest.raises(ValidationError, match="IDENTITY_PASSWORD_HASH_PROFILE=CHEAPEST"):
        IdentitySettings(environment="production", password_hash_profile="CHEAPEST")
    with pytest.raises(ValidationError, match="password_hash_profile"):
        IdentitySettings(password_hash_profile="MD5")

    assert IdentitySettings(environment="production").password_hash_profile == (
        "RFC_9106_LOW_MEMORY"
    )
