"""Signing keys at rest: encrypted under keys from the environment, and those keys rotatable
without a token going bad."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from alembic import command
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import create_engine, text

from identity.config import DEVELOPMENT_KEY_ENCRYPTION_KEY, IdentitySettings
from identity.service import users
from identity.service.signing_keys import generate_signing_key
from service_runtime.cli import migrations_dir_of
from service_runtime.migrations import alembic_config

from ..conftest import Identity, StartIdentity, bearer, sign_up


def pg_dump(database_url: str) -> str:
    url = database_url.replace("+psycopg", "")
    return subprocess.run(
        ["pg_dump", "--no-owner", url], check=True, capture_output=True, text=True
    ).stdout


async def sign_in(identity: Identity, email: str) -> str:
    response = await identity.client.post(
        "/api/auth/sign-in", json={"email": email, "password": "correct horse 1"}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def test_a_database_dump_holds_no_private_key(identity: Identity) -> None:
    await sign_up(identity.client, "dumped@example.com")
    await users.rotate_signing_key(identity.units, identity.settings)
    await sign_in(identity, "dumped@example.com")

    dump = await asyncio.to_thread(pg_dump, identity.settings.database_url)

    assert "COPY public.signing_keys" in dump
    assert "PRIVATE KEY" not in dump


async def test_rotating_the_key_encryption_key_keeps_tokens_verifiable(
    start_identity: StartIdentity,
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    async with start_identity(key_encryption_keys=[old]) as before:
        token = (await sign_up(before.client, "kept@example.com"))["access_token"]

    async with start_identity(key_encryption_keys=[new, old]) as during:
        assert (await during.client.get("/api/users/me", headers=bearer(token))).status_code == 200
        await sign_in(during, "kept@example.com")
        assert await users.reencrypt_signing_keys(during.units, during.settings) == 1

    async with start_identity(key_encryption_keys=[new]) as after:
        old_token_me = await after.client.get("/api/users/me", headers=bearer(token))
        new_token = await sign_in(after, "kept@example.com")
        new_token_me = await after.client.get("/api/users/me", headers=bearer(new_token))
    async with start_identity(key_encryption_keys=[Fernet.generate_key().decode()]) as stranger:
        unreadable = await stranger.client.post(
            "/api/auth/sign-in", json={"email": "kept@example.com", "password": "correct horse 1"}
        )

    assert old_token_me.status_code == 200
    assert new_token_me.status_code == 200
    assert unreadable.status_code == 503
    assert unreadable.headers["content-type"] == "application/problem+json"


def test_production_refuses_to_start_without_real_key_encryption_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="needs IDENTITY_KEY_ENCRYPTION_KEYS"):
        IdentitySettings(environment="production")
    with pytest.raises(ValidationError, match="refuses the development key"):
        IdentitySettings(
            environment="production", key_encryption_keys=[DEVELOPMENT_KEY_ENCRYPTION_KEY]
        )
    with pytest.raises(ValidationError, match="not a Fernet key"):
        IdentitySettings(key_encryption_keys=["not-a-key"])

    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv("IDENTITY_KEY_ENCRYPTION_KEYS", f"{first}, {second}")
    settings = IdentitySettings()

    assert [key.get_secret_value() for key in settings.key_encryption_keys] == [first, second]
    assert first not in repr(settings)


def test_the_migration_encrypts_existing_keys_and_retires_them(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("identity", None)
    config = alembic_config(migrations_dir_of("identity"), url)
    command.upgrade(config, "identity_0002_user_access")
    plaintext = generate_signing_key()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO signing_keys (kid, private_key_pem, public_jwk, created_at) "
                "VALUES (:kid, :pem, '{}', now())"
            ),
            {"kid": plaintext.kid, "pem": plaintext.private_key_pem},
        )

    command.upgrade(config, "head")

    with engine.begin() as connection:
        row = connection.execute(text("SELECT * FROM signing_keys")).one()
    engine.dispose()
    cipher = IdentitySettings().key_cipher()
    assert "PRIVATE KEY" not in row.private_key_encrypted
    assert cipher.decrypt(row.private_key_encrypted.encode()).decode() == plaintext.private_key_pem
    assert row.private_key_pem is None
    assert row.retired_at is not None


async def test_a_plaintext_key_made_during_the_rollout_is_sealed_on_first_use(
    identity_database: str, start_identity: StartIdentity
) -> None:
    """An identity of before encryption at rest, still running, made the active key."""
    plaintext = generate_signing_key()
    engine = create_engine(identity_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO signing_keys (kid, private_key_pem, public_jwk, created_at) "
                "VALUES (:kid, :pem, CAST(:jwk AS jsonb), now())"
            ),
            {
                "kid": plaintext.kid,
                "pem": plaintext.private_key_pem,
                "jwk": json.dumps(plaintext.public_jwk),
            },
        )
    engine.dispose()

    async with start_identity() as identity:
        token = (await sign_up(identity.client, "rollout@example.com"))["access_token"]
        me = await identity.client.get("/api/users/me", headers=bearer(token))
    dump = await asyncio.to_thread(pg_dump, identity_database)

    assert jwt.get_unverified_header(str(token))["kid"] == plaintext.kid
    assert me.status_code == 200
    assert "PRIVATE KEY" not in dump
