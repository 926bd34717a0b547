"""Clerk's svix-signed webhooks: verified, applied once, and refused when forged or stale."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from svix.webhooks import Webhook

from identity.db import users
from tests.fixtures.tokens import TestIssuer

from ..conftest import CLERK_SECRET, Identity, StartIdentity, sign_up


def clerk_user_event(
    event_type: str,
    clerk_id: str,
    email: str,
    role: str | None = None,
    *,
    verified: bool = True,
    first_name: str = "Clara",
    at_ms: int | None = None,
) -> bytes:
    status = "verified" if verified else "unverified"
    return json.dumps(
        {
            "type": event_type,
            "object": "event",
            **({"timestamp": at_ms} if at_ms is not None else {}),
            "data": {
                "id": clerk_id,
                "first_name": first_name,
                "last_name": "Clerk",
                "primary_email_address_id": "idn_1",
                "email_addresses": [
                    {"id": "idn_1", "email_address": email, "verification": {"status": status}}
                ],
                "public_metadata": {"role": role} if role else {},
            },
        }
    ).encode()


def deleted_event(clerk_id: str, *, at_ms: int | None = None) -> bytes:
    timestamp = {"timestamp": at_ms} if at_ms is not None else {}
    return json.dumps(
        {"type": "user.deleted", **timestamp, "data": {"id": clerk_id, "deleted": True}}
    ).encode()


async def deliver(identity: Identity, body: bytes) -> httpx.Response:
    return await identity.client.post(
        "/api/webhooks/clerk", content=body, headers=signed_headers(body)
    )


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
    for body in (created, updated, deleted_event("user_3")):
        response = await deliver(identity, body)
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
    start_identity: StartIdentity, token_issuer: TestIssuer
) -> None:
    """Identity pointed at another issuer (as at Clerk: no audience) knows its users by Clerk id."""
    async with start_identity(
        auth_issuer=token_issuer.url, auth_jwks_url=token_issuer.jwks_url, auth_audience=None
    ) as identity:
        client = identity.client
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


async def test_unverified_email_of_a_local_account_is_not_linked(identity: Identity) -> None:
    await sign_up(identity.client, "ada@example.com")  # named Ada Lovelace
    body = clerk_user_event("user.created", "user_mallory", "ada@example.com", verified=False)

    response = await deliver(identity, body)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "not verified" in response.json()["detail"]
    [user] = await _users(identity)
    assert (user.name, user.clerk_user_id) == ("Ada Lovelace", None)


async def test_verified_email_links_the_local_account_and_keeps_its_name(
    identity: Identity,
) -> None:
    await sign_up(identity.client, "ada@example.com")
    body = clerk_user_event("user.created", "user_ada", "Ada@Example.com", verified=True)

    response = await deliver(identity, body)

    assert response.json() == {"status": "applied"}
    [user] = await _users(identity)
    assert (user.name, user.clerk_user_id) == ("Ada Lovelace", "user_ada")


async def test_a_deleted_user_stays_deleted_when_updates_follow(identity: Identity) -> None:
    await deliver(identity, clerk_user_event("user.created", "user_4", "gone@example.com"))
    await deliver(identity, deleted_event("user_4"))

    late = await deliver(
        identity, clerk_user_event("user.updated", "user_4", "gone@example.com", "owner")
    )

    assert late.json() == {"status": "ignored"}
    [user] = await _users(identity)
    assert user.deleted_at is not None
    assert user.role == "booker"


async def test_events_out_of_order_end_as_clerk_ended(identity: Identity) -> None:
    """Clerk created, renamed, then deleted a user; the deletion arrived first."""
    t = int(datetime.now(UTC).timestamp() * 1000)
    await deliver(identity, deleted_event("user_5", at_ms=t + 2000))
    await deliver(identity, clerk_user_event("user.created", "user_5", "late@example.com", at_ms=t))
    await deliver(identity, clerk_user_event("user.created", "user_6", "b@example.com", at_ms=t))
    for name, at in (("Newer", t + 2000), ("Older", t + 1000)):
        renamed = clerk_user_event(
            "user.updated", "user_6", "b@example.com", first_name=name, at_ms=at
        )
        await deliver(identity, renamed)

    by_clerk_id = {user.clerk_user_id: user for user in await _users(identity)}

    assert by_clerk_id["user_5"].deleted_at is not None
    assert by_clerk_id["user_6"].name == "Newer Clerk"


async def test_nul_bytes_and_long_names_from_clerk_are_cleaned(identity: Identity) -> None:
    body = clerk_user_event("user.created", "user_7", "nul@example.com", first_name="Cla\x00ra")
    long = clerk_user_event("user.created", "user_8", "long@example.com", first_name="x" * 5000)

    responses = [await deliver(identity, body), await deliver(identity, long)]

    assert [response.status_code for response in responses] == [200, 200]
    by_clerk_id = {user.clerk_user_id: user for user in await _users(identity)}
    assert by_clerk_id["user_7"].name == "Clara Clerk"
    assert len(by_clerk_id["user_8"].name) == 200


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("NUL in the email", clerk_user_event("user.created", "user_9", "a\x00b@example.com")),
        ("NUL in the id", clerk_user_event("user.created", "user\x009", "c@example.com")),
        ("over-long id", clerk_user_event("user.created", "u" * 500, "d@example.com")),
        ("data not an object", json.dumps({"type": "user.created", "data": []}).encode()),
        (
            "name not text",
            json.dumps({"type": "user.created", "data": {"id": "u", "first_name": {}}}).encode(),
        ),
        ("not an event", b"[]"),
    ],
)
async def test_unstorable_clerk_payloads_are_refused_and_logged(
    identity: Identity, caplog: pytest.LogCaptureFixture, case: str, body: bytes
) -> None:
    response = await deliver(identity, body)

    assert response.status_code == 400, case
    assert response.headers["content-type"] == "application/problem+json"
    assert "Clerk webhook" in caplog.text
    assert "refused" in caplog.text
    assert await _users(identity) == []


async def test_the_last_admin_is_not_deleted_or_demoted_by_clerk(identity: Identity) -> None:
    await deliver(identity, clerk_user_event("user.created", "user_root", "r@example.com", "admin"))

    deleted = await deliver(identity, deleted_event("user_root"))
    demoted = await deliver(
        identity, clerk_user_event("user.updated", "user_root", "r@example.com", "booker")
    )

    assert [deleted.status_code, demoted.status_code] == [409, 409]
    assert "last admin" in deleted.json()["detail"]
    [user] = await _users(identity)
    assert (user.role, user.deleted_at) == ("admin", None)
