"""Clerk's svix-signed webhooks: verified, applied once, and refused when forged or stale."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from svix.webhooks import Webhook

from identity.db import users

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
