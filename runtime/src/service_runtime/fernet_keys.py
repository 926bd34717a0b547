"""Fernet keys from the environment: comma-separated, newest first, each checked at start-up.

The first key encrypts and any of them decrypts, so a key is rotated without downtime: prepend
a new one, re-encrypt what is stored (where anything is), then drop the old one.
"""

from __future__ import annotations

from typing import Annotated

from cryptography.fernet import Fernet, MultiFernet
from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_settings import NoDecode


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [key.strip() for key in value.split(",") if key.strip()]
    return value


def _each_a_fernet_key(keys: list[SecretStr]) -> list[SecretStr]:
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.get_secret_value())
        except ValueError:
            raise ValueError(
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return keys


FernetKeys = Annotated[
    list[SecretStr], NoDecode, BeforeValidator(_comma_separated), AfterValidator(_each_a_fernet_key)
]
"""A settings field of Fernet keys, newest first (`KEY_A,KEY_B` in the environment)."""


def cipher(keys: list[SecretStr], development_key: str) -> MultiFernet:
    """Encrypts with the newest key and decrypts with any; the development key when none."""
    values = [key.get_secret_value() for key in keys]
    return MultiFernet([Fernet(key) for key in values or [development_key]])


def refuse_development_key(keys: list[SecretStr], development_key: str, *, setting: str) -> None:
    """Production needs real keys: none given, or the development key among them, is refused."""
    values = [key.get_secret_value() for key in keys]
    if not values:
        raise ValueError(f"production needs {setting}")
    if development_key in values:
        raise ValueError(f"production refuses the development key in {setting}")
