"""Bearer tokens: only a valid token of the issuer, for this audience, with the role, gets in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from service_runtime.auth import InvalidToken, JwksCache, TokenVerifier

from .signing import AUDIENCE, ISSUER, USER_ID, Keys, bearer, guarded_app


@pytest.fixture
async def client(keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    async with guarded_app(keys) as client:
        yield client


async def test_valid_token_is_accepted(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.get("/me", headers=bearer(keys.token("key-1")))
    assert response.status_code == 200
    assert response.json() == {"user_id": str(USER_ID)}


@pytest.mark.parametrize(
    ("subject", "reason"),
    [("user_2abc", "is not a user id"), ("", "has no 'sub' claim")],
)
async def test_a_subject_that_is_not_our_user_id_is_refused_with_401(
    client: httpx.AsyncClient, keys: Keys, subject: str, reason: str
) -> None:
    response = await client.get("/me", headers=bearer(keys.token("key-1", sub=subject)))

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]


async def test_with_clerk_our_user_id_comes_from_the_configured_claim(keys: Keys) -> None:
    clerk_shaped = {"sub": "user_2abc", "azp": "https://app.test", "sid": "sess_1"}
    async with guarded_app(keys, user_id_claim="uid") as client:
        with_id = await client.get(
            "/me", headers=bearer(keys.token("key-1", **clerk_shaped, uid=str(USER_ID)))
        )
        without_id = await client.get("/me", headers=bearer(keys.token("key-1", **clerk_shaped)))

    assert with_id.json() == {"user_id": str(USER_ID)}
    assert without_id.status_code == 401
    assert "has no 'uid' claim" in without_id.json()["detail"]


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


def verifier_of(keys: Keys, min_refresh_seconds: float) -> TokenVerifier:
    return TokenVerifier(
        JwksCache(keys.jwks, min_refresh_seconds=min_refresh_seconds),
        issuer=ISSUER,
        audience=AUDIENCE,
    )


async def test_a_key_made_just_after_a_refetch_is_fetched_once_the_spacing_allows(
    keys: Keys,
) -> None:
    verifier = verifier_of(keys, min_refresh_seconds=0.3)
    await verifier.verify(keys.token("key-1"))
    keys.add("key-2")  # the issuer rotated a moment after the keys were fetched

    principal = await verifier.verify(keys.token("key-2"))

    assert principal.user_id == USER_ID  # not refused as an unknown key
    assert keys.fetches == 2


async def test_forged_key_ids_at_once_share_one_refetch_and_are_refused(keys: Keys) -> None:
    verifier = verifier_of(keys, min_refresh_seconds=0.3)
    await verifier.verify(keys.token("key-1"))
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    outcomes = await asyncio.gather(
        *(verifier.verify(keys.token(f"forged-{n}", signer=forger)) for n in range(20)),
        return_exceptions=True,
    )

    assert all(isinstance(outcome, InvalidToken) for outcome in outcomes)
    assert keys.fetches == 2  # the first verification's, then one for the twenty


async def test_role_not_allowed_is_refused_with_403(client: httpx.AsyncClient, keys: Keys) -> None:
    booker = await client.get("/admin", headers=bearer(keys.token("key-1", role="booker")))
    admin = await client.get("/admin", headers=bearer(keys.token("key-1", role="admin")))
    assert booker.status_code == 403
    assert admin.status_code == 200


async def test_a_token_accepted_before_is_refused_once_it_expires(keys: Keys) -> None:
    verifier = verifier_of(keys, min_refresh_seconds=0)
    expires_at = int(time.time()) - 4  # within the 5 s of leeway, for a second or less
    token = keys.token("key-1", exp=expires_at)
    await verifier.verify(token)
    await asyncio.sleep(expires_at + 5.1 - time.time())

    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_token_accepted_before_is_refused_once_the_issuer_drops_its_key(
    keys: Keys,
) -> None:
    verifier = TokenVerifier(
        JwksCache(keys.jwks, max_age_seconds=0.1, min_refresh_seconds=0),
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    token = keys.token("key-1")
    await verifier.verify(token)
    keys.add("key-2")
    del keys.private["key-1"]  # a rotation that drops the old key at once
    await asyncio.sleep(0.2)  # past the keys' age: the next verification fetches them

    with pytest.raises(InvalidToken, match="key-1"):
        await verifier.verify(token)
    assert (await verifier.verify(keys.token("key-2"))).user_id == USER_ID
