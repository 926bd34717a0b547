"""An issuer's RSA keys for the auth tests (its JWKS, tokens signed with any of its keys), and an
app whose routes need those tokens."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from service_runtime.auth import (
    AccessCheck,
    AdminUser,
    CurrentUser,
    JwksCache,
    OptionalUser,
    TokenVerifier,
)
from service_runtime.problems import install_problem_handlers

ISSUER = "https://identity.test"
AUDIENCE = "onetime"
USER_ID = uuid.UUID("0b6f3c9e-2f4d-4a7b-9c1e-5d8a7f6e4b21")


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
            "sub": str(USER_ID),
            "role": "booker",
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return jwt.encode(
            claims, signer or self.private[kid], algorithm="RS256", headers={"kid": kid}
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def guarded_app(
    keys: Keys, access: AccessCheck | None = None, *, user_id_claim: str = "sub"
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app trusting these keys: /me for anyone signed in, /admin for admins,
    /public for anyone (naming the caller when a token is sent)."""
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(
        JwksCache(keys.jwks, min_refresh_seconds=0),
        issuer=ISSUER,
        audience=AUDIENCE,
        user_id_claim=user_id_claim,
    )
    if access is not None:
        app.state.access_check = access
    install_problem_handlers(app, {})

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"user_id": str(user.user_id)}

    @app.get("/admin")
    async def admin(user: AdminUser) -> dict[str, str]:
        return {"user_id": str(user.user_id)}

    @app.get("/public")
    async def public(user: OptionalUser) -> dict[str, str | None]:
        return {"user_id": str(user.user_id) if user else None}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
