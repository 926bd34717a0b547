"""Clerk's svix-signed webhooks: verified, applied once, and refused when forged or stale."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from identity.db.users import users
from tests.fixtures import clerk as clerk_fixtures
from tests.fixtures.clerk import SECRET_KEY, ClerkStandin, ClerkUser, clerk_user_event

from ..conftest import CLERK_SECRET, Identity, StartIdentity, bearer, sign_up


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
    body: bytes, secret: str = CLERK_SECRET, at: datetime | None = None
) -> dict[str, str]:
    return clerk_fixtures.signed_headers(body, secret=secret, at=at)


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


@pytest.fixture
async def identity_with_clerk(
    start_identity: StartIdentity, clerk_standin: ClerkStandin
) -> AsyncIterator[Identity]:
    """Identity configured for Clerk: it trusts Clerk's tokens and talks to its Backend API."""
    settings = {
        name.removeprefix("IDENTITY_").lower(): value
        for name, value in clerk_standin.auth_env("IDENTITY_").items()
    }
    async with start_identity(
        **settings, clerk_secret_key=SECRET_KEY, clerk_api_url=clerk_standin.api_url
    ) as identity:
        yield identity


async def test_a_synced_clerk_user_gets_our_id_and_its_clerk_tokens_name_it(
    identity_with_clerk: Identity, clerk_standin: ClerkStandin
) -> None:
    clerk_user = clerk_standin.new_user("owner")
    token_before_sync = clerk_standin.session_token(clerk_user.id)
    body = clerk_user_event("user.created", clerk_user.id, f"{clerk_user.id}@example.com", "owner")

    synced = await deliver(identity_with_clerk, body)
    me = await identity_with_clerk.client.get(
        "/api/users/me", headers=bearer(clerk_standin.session_token(clerk_user.id))
    )
    unsynced = await identity_with_clerk.client.get(
        "/api/users/me", headers=bearer(token_before_sync)
    )

    assert synced.json() == {"status": "applied"}
    [user] = await _users(identity_with_clerk)
    assert clerk_user.external_id == str(user.id)
    assert (me.status_code, me.json()["id"], me.json()["role"]) == (200, str(user.id), "owner")
    assert unsynced.status_code == 401
    assert "has no 'uid' claim" in unsynced.json()["detail"]


async def test_our_id_is_given_to_clerk_again_when_clerk_missed_it(
    identity_with_clerk: Identity, clerk_standin: ClerkStandin
) -> None:
    clerk_id = f"user_{uuid.uuid4().hex[:24]}"  # Clerk's API does not know it yet: it fails
    body = clerk_user_event("user.created", clerk_id, f"{clerk_id}@example.com")
    headers = signed_headers(body)

    failed = await identity_with_clerk.client.post(
        "/api/webhooks/clerk", content=body, headers=headers
    )
    clerk_standin.users[clerk_id] = ClerkUser(clerk_id, role="booker")
    retried = await identity_with_clerk.client.post(
        "/api/webhooks/clerk", content=body, headers=headers
    )

    assert failed.status_code == 503
    assert retried.json() == {"status": "duplicate"}
    [user] = await _users(identity_with_clerk)
    assert clerk_standin.users[clerk_id].external_id == str(user.id)


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
