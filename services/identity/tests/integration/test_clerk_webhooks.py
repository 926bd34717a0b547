"""Clerk's svix-signed webhooks: verified, applied once, and refused when forged or stale."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from svix.webhooks import Webhook

from identity.app import create_app
from identity.config import IdentitySettings
from identity.db import users
from service_runtime.cli import migrations_dir_of
from tests.fixtures.infra import free_port, serving
from tests.fixtures.tokens import TestIssuer

from ..conftest import CLERK_SECRET, Identity


def clerk_user_event(event_type: str, clerk_id: str, email: str, role: str | None = None) -> bytes:
    return json.dumps(
        {
            "type": event_type,
            "object": "event",
            "data": {
                "id": clerk_id,
                "first_name": "Clara",
                "last_name": "Clerk",
                "primary_email_address_id": "idn_1",
                "email_addresses": [{"id": "idn_1", "email_address": email}],
                "public_metadata": {"role": role} if role else {},
            },
        }
    ).encode()


def signed_headers(
    body: bytes,
    *,
    secret: str = CLERK_SECRET,
    svix_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, str]:
    svix_id = svix_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    return {
        "svix-id": svix_id,
        "svix-timestamp": str(int(at.timestamp())),
        "svix-signature": Webhook(secret).sign(svix_id, at, body.decode()),
        "content-type": "application/json",
    }


async def _users(identity: Identity) -> list[Any]:
    async with identity.runtime.database.transaction() as session:
        return list((await session.execute(select(users).order_by(users.c.created_at))).all())


async def test_user_created_is_synced_once_even_when_replayed(identity: Identity) -> None:
    body = clerk_user_event("user.created", "user_2abc", "Clara@Example.com", role="owner")
    headers = signed_headers(body)

    first = await identity.client.post("/api/webhooks/clerk", content=body, headers=headers)
    replay = await identity.client.post("/api/webhooks/clerk", content=body, headers=headers)

    assert first.json() == {"status": "applied"}
    assert replay.status_code == 200
    assert replay.json() == {"status": "duplicate"}
    [user] = await _users(identity)
    assert (user.email, user.role, user.clerk_user_id) == (
        "clara@example.com",
        "owner",
        "user_2abc",
    )


async def test_user_updated_and_deleted_follow_clerk(identity: Identity) -> None:
    created = clerk_user_event("user.created", "user_3", "old@example.com")
    updated = clerk_user_event("user.updated", "user_3", "new@example.com", role="owner")
    deleted = json.dumps(
        {"type": "user.deleted", "data": {"id": "user_3", "deleted": True}}
    ).encode()
    for body in (created, updated, deleted):
        response = await identity.client.post(
            "/api/webhooks/clerk", content=body, headers=signed_headers(body)
        )
        assert response.status_code == 200, response.text

    [user] = await _users(identity)
    assert (user.email, user.role) == ("new@example.com", "owner")
    assert user.deleted_at is not None


async def test_bad_signature_is_refused_and_changes_nothing(identity: Identity) -> None:
    body = clerk_user_event("user.created", "user_forged", "mallory@example.com")
    forged = signed_headers(body, secret="whsec_" + "A" * 32)

    response = await identity.client.post("/api/webhooks/clerk", content=body, headers=forged)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert await _users(identity) == []


async def test_tampered_body_is_refused(identity: Identity) -> None:
    body = clerk_user_event("user.created", "user_x", "honest@example.com")
    headers = signed_headers(body)
    tampered = body.replace(b"honest", b"mallory")

    response = await identity.client.post("/api/webhooks/clerk", content=tampered, headers=headers)

    assert response.status_code == 400
    assert await _users(identity) == []


async def test_stale_timestamp_is_refused(identity: Identity) -> None:
    body = clerk_user_event("user.created", "user_old", "late@example.com")
    stale = signed_headers(body, at=datetime.now(UTC) - timedelta(minutes=10))

    response = await identity.client.post("/api/webhooks/clerk", content=body, headers=stale)

    assert response.status_code == 400
    async with identity.runtime.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(users)) == 0


async def test_clerk_session_tokens_are_accepted_by_configuration_alone(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    token_issuer: TestIssuer,
) -> None:
    """Identity pointed at another issuer (as at Clerk: no audience) knows its users by Clerk id."""
    port = free_port()
    settings = IdentitySettings(
        database_url=make_database("identity", migrations_dir_of("identity")),
        rabbit_url=rabbit_url,
        bus_namespace=bus_namespace,
        auth_issuer=token_issuer.url,
        auth_jwks_url=token_issuer.jwks_url,
        auth_audience=None,
        clerk_webhook_secret=CLERK_SECRET,
    )
    async with (
        serving(create_app(settings), port) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        body = clerk_user_event("user.created", "user_clerk42", "kim@example.com", "owner")
        synced = await client.post(
            "/api/webhooks/clerk", content=body, headers=signed_headers(body)
        )
        me = await client.get(
            "/api/users/me", headers=token_issuer.headers("owner", "user_clerk42")
        )
    assert synced.json() == {"status": "applied"}
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["role"]) == ("kim@example.com", "owner")
