"""Bearer tokens: only a valid token of the issuer, for this audience, with the role, gets in."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from service_runtime.auth import AdminUser, CurrentUser, JwksCache, TokenVerifier
from service_runtime.problems import install_problem_handlers

ISSUER = "https://identity.test"
AUDIENCE = "onetime"


class Keys:
    def __init__(self) -> None:
        self.private: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0

    def add(self, kid: str) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    async def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        keys = []
        for kid, key in self.private.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def token(self, kid: str, signer: rsa.RSAPrivateKey | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "role": "booker",
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return jwt.encode(
            claims, signer or self.private[kid], algorithm="RS256", headers={"kid": kid}
        )


@pytest.fixture
def keys() -> Keys:
    keys = Keys()
    keys.add("key-1")
    return keys


@pytest.fixture
async def client(keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(
        JwksCache(keys.jwks, min_refresh_seconds=0), issuer=ISSUER, audience=AUDIENCE
    )
    install_problem_handlers(app, {})

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"user_id": user.user_id}

    @app.get("/admin")
    async def admin(user: AdminUser) -> dict[str, str]:
        return {"user_id": user.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_is_accepted(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.get("/me", headers=bearer(keys.token("key-1")))
    assert response.status_code == 200
    assert response.json() == {"user_id": "user-1"}


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("expired", {"exp": int(time.time()) - 60}),
        ("wrong audience", {"aud": "someone-else"}),
        ("wrong issuer", {"iss": "https://evil.test"}),
    ],
)
async def test_bad_claims_are_refused_with_401(
    client: httpx.AsyncClient, keys: Keys, case: str, overrides: dict[str, Any]
) -> None:
    response = await client.get("/me", headers=bearer(keys.token("key-1", **overrides)))
    assert response.status_code == 401, case
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_wrong_signature_is_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await client.get("/me", headers=bearer(keys.token("key-1", signer=forger)))
    assert response.status_code == 401
    assert "Signature" in response.json()["detail"]


async def test_unknown_key_is_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await client.get("/me", headers=bearer(keys.token("key-9", signer=forger)))
    assert response.status_code == 401
    assert "unknown signing key" in response.json()["detail"]


async def test_missing_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401


async def test_new_key_is_fetched_when_its_id_is_first_seen(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    assert (await client.get("/me", headers=bearer(keys.token("key-1")))).status_code == 200
    keys.add("key-2")  # the issuer rotated
    response = await client.get("/me", headers=bearer(keys.token("key-2")))
    assert response.status_code == 200
    assert keys.fetches == 2


async def test_role_not_allowed_is_refused_with_403(client: httpx.AsyncClient, keys: Keys) -> None:
    booker = await client.get("/admin", headers=bearer(keys.token("key-1", role="booker")))
    admin = await client.get("/admin", headers=bearer(keys.token("key-1", role="admin")))
    assert booker.status_code == 403
    assert admin.status_code == 200
