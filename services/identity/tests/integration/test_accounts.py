"""Sign-up, sign-in, the caller's account, admin role changes and key rotation."""

from __future__ import annotations

import asyncio

import jwt
import pytest
from sqlalchemy import select

from contracts.identity import Role
from identity.db.base import outbox
from identity.domain.users import EmailTaken, new_user
from identity.service import users
from tests.fixtures.infra import eventually

from ..conftest import Identity, bearer, sign_up


async def _published_types(identity: Identity) -> list[str]:
    async with identity.runtime.database.transaction() as session:
        rows = await session.execute(
            select(outbox.c.message_type)
            .where(outbox.c.published_at.is_not(None))
            .order_by(outbox.c.id)
        )
        return [row.message_type for row in rows]


async def test_sign_up_returns_a_token_that_identifies_the_user(identity: Identity) -> None:
    body = await sign_up(identity.client, "Ada@Example.com", role="owner")

    me = await identity.client.get("/api/users/me", headers=bearer(body["access_token"]))

    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"
    assert me.json()["role"] == "owner"
    claims = jwt.decode(str(body["access_token"]), options={"verify_signature": False})
    assert claims["aud"] == "onetime"
    assert claims["exp"] - claims["iat"] == identity.settings.access_token_ttl_seconds

    async def user_created_published() -> bool:
        return await _published_types(identity) == [
            "identity.user_created",
            "identity.email_verification_requested",
        ]

    await eventually(user_created_published)


async def test_the_same_email_cannot_sign_up_twice(identity: Identity) -> None:
    await sign_up(identity.client, "grace@example.com")
    again = await identity.client.post(
        "/api/auth/sign-up",
        json={"email": "GRACE@example.com", "password": "another password", "name": "G"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "grace@example.com" in again.json()["detail"]


async def test_concurrent_sign_ups_with_one_email_make_one_account(identity: Identity) -> None:
    async def attempt() -> int:
        response = await identity.client.post(
            "/api/auth/sign-up",
            json={"email": "twice@example.com", "password": "correct horse 1", "name": "T"},
        )
        return response.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(4)))

    assert sorted(statuses) == [201, 409, 409, 409]


async def test_an_email_taken_meanwhile_is_refused_by_the_database(identity: Identity) -> None:
    """The race the check before inserting cannot see: the unique constraint names it."""
    await sign_up(identity.client, "raced@example.com")
    late = new_user("raced@example.com", "Late", Role.BOOKER, "hash")

    with pytest.raises(EmailTaken):
        async with identity.units.begin() as unit:
            await unit.users.add(late)


async def test_invalid_sign_up_names_the_fields(identity: Identity) -> None:
    response = await identity.client.post(
        "/api/auth/sign-up", json={"email": "not-an-email", "password": "short", "name": "x"}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"body.email", "body.password"}


async def test_nobody_signs_up_as_admin(identity: Identity) -> None:
    response = await identity.client.post(
        "/api/auth/sign-up",
        json={
            "email": "eve@example.com",
            "password": "long enough pw",
            "name": "Eve",
            "role": "admin",
        },
    )
    assert response.status_code == 422


async def test_sign_in_checks_the_password(identity: Identity) -> None:
    await sign_up(identity.client, "alan@example.com", password="the right one")
    wrong = await identity.client.post(
        "/api/auth/sign-in", json={"email": "alan@example.com", "password": "the wrong one"}
    )
    unknown = await identity.client.post(
        "/api/auth/sign-in", json={"email": "nobody@example.com", "password": "the right one"}
    )
    right = await identity.client.post(
        "/api/auth/sign-in", json={"email": "Alan@example.com", "password": "the right one"}
    )
    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert right.status_code == 200
    me = await identity.client.get("/api/users/me", headers=bearer(right.json()["access_token"]))
    assert me.json()["email"] == "alan@example.com"


async def test_admin_changes_a_role_and_others_may_not(identity: Identity) -> None:
    await users.create_admin(
        identity.units,
        identity.settings,
        email="root@example.com",
        password="admin password",
        name="Root",
    )
    admin = await identity.client.post(
        "/api/auth/sign-in", json={"email": "root@example.com", "password": "admin password"}
    )
    booker = await sign_up(identity.client, "barbara@example.com")
    user_id = booker["user"]["id"]  # type: ignore[index]

    refused = await identity.client.put(
        f"/api/admin/users/{user_id}/role",
        json={"role": "admin"},
        headers=bearer(booker["access_token"]),
    )
    changed = await identity.client.put(
        f"/api/admin/users/{user_id}/role",
        json={"role": "owner"},
        headers=bearer(admin.json()["access_token"]),
    )

    assert refused.status_code == 403
    assert changed.status_code == 200
    assert changed.json()["role"] == "owner"

    async def role_change_published() -> bool:
        return "identity.role_changed" in await _published_types(identity)

    await eventually(role_change_published)


async def test_tokens_of_the_previous_key_stay_valid_after_rotation(identity: Identity) -> None:
    before = await sign_up(identity.client, "rotating@example.com")
    new_kid = await users.rotate_signing_key(identity.units, identity.settings)
    after = await identity.client.post(
        "/api/auth/sign-in", json={"email": "rotating@example.com", "password": "correct horse 1"}
    )

    old_token_me = await identity.client.get(
        "/api/users/me", headers=bearer(before["access_token"])
    )
    new_token_me = await identity.client.get(
        "/api/users/me", headers=bearer(after.json()["access_token"])
    )

    assert jwt.get_unverified_header(after.json()["access_token"])["kid"] == new_kid
    assert old_token_me.status_code == 200
    assert new_token_me.status_code == 200
    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 2


async def test_operators_see_health_readiness_and_metrics(identity: Identity) -> None:
    await sign_up(identity.client, "metrics@example.com")

    health = await identity.client.get("/healthz")
    ready = await identity.client.get("/readyz")
    metrics = await identity.client.get("/metrics")

    assert health.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": True, "broker": True}}
    assert (
        'http_requests_total{method="POST",route="/api/auth/sign-up",status="201"}' in metrics.text
    )
    assert "faststream_published_messages_total" in metrics.text
