"""Email verification and password reset links: each works once, expires, cannot be forged,
and is sent (as an event for notifications) at most once a cooldown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from sqlalchemy import select

from identity.db.base import outbox

from ..conftest import Identity, bearer, sign_up

PASSWORD = "correct horse 1"


async def links_sent(identity: Identity, message_type: str) -> list[dict[str, Any]]:
    """The links identity asked notifications to email, oldest first."""
    async with identity.runtime.database.transaction() as session:
        rows = await session.execute(
            select(outbox.c.envelope)
            .where(outbox.c.message_type == message_type)
            .order_by(outbox.c.id)
        )
        return [envelope["payload"] for (envelope,) in rows]


def token_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def claims(token: object) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(str(token), options={"verify_signature": False})
    return found


async def sign_in(identity: Identity, email: str, password: str = PASSWORD) -> Any:
    return await identity.client.post(
        "/api/auth/sign-in", json={"email": email, "password": password}
    )


def assert_bad_link(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "token"


async def test_the_verification_link_sent_at_sign_up_verifies_the_email_once(
    identity: Identity,
) -> None:
    up = await sign_up(identity.client, "ada@example.com")
    [sent] = await links_sent(identity, "identity.email_verification_requested")
    assert sent["email"] == "ada@example.com"
    assert sent["link"].startswith(f"{identity.settings.public_web_url}/verify-email?token=")
    assert claims(up["access_token"])["email_verified"] is False

    confirm = {"token": token_in(sent["link"])}
    first = await identity.client.post("/api/auth/email-verification/confirm", json=confirm)
    again = await identity.client.post("/api/auth/email-verification/confirm", json=confirm)

    assert first.status_code == 204, first.text
    assert_bad_link(again)
    signed_in = await sign_in(identity, "ada@example.com")
    assert claims(signed_in.json()["access_token"])["email_verified"] is True
    assert signed_in.json()["user"]["email_verified"] is True
    assert up["user"]["email_verified"] is False


async def test_a_forged_an_expired_or_another_kinds_link_verifies_nothing(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_up(identity.client, "ada@example.com")
    await identity.client.post("/api/auth/password-reset", json={"email": "ada@example.com"})
    [verification] = await links_sent(identity, "identity.email_verification_requested")
    [reset] = await links_sent(identity, "identity.password_reset_requested")
    confirm = "/api/auth/email-verification/confirm"

    forged = await identity.client.post(confirm, json={"token": "A" * 43})
    other_kind = await identity.client.post(confirm, json={"token": token_in(reset["link"])})
    far_too_long = await identity.client.post(confirm, json={"token": "A" * 5000})
    ttl = timedelta(seconds=identity.settings.email_verification_ttl_seconds + 1)
    start = datetime.now(UTC)
    monkeypatch.setattr(identity.runtime.units, "clock", lambda: start + ttl)
    expired = await identity.client.post(confirm, json={"token": token_in(verification["link"])})

    assert_bad_link(forged)
    assert_bad_link(other_kind)
    assert far_too_long.status_code == 422
    assert_bad_link(expired)


async def test_a_password_reset_sets_the_new_password_and_ends_every_sign_in(
    identity: Identity,
) -> None:
    up = await sign_up(identity.client, "ada@example.com")

    unknown = await identity.client.post(
        "/api/auth/password-reset", json={"email": "nobody@example.com"}
    )
    known = await identity.client.post(
        "/api/auth/password-reset", json={"email": "Ada@Example.com"}
    )
    [sent] = await links_sent(identity, "identity.password_reset_requested")
    body = {"token": token_in(sent["link"]), "password": "a brand new password"}
    reset = await identity.client.post("/api/auth/password-reset/confirm", json=body)
    reused = await identity.client.post("/api/auth/password-reset/confirm", json=body)

    assert (unknown.status_code, known.status_code) == (202, 202)  # alike: no account revealed
    assert sent["email"] == "ada@example.com"
    assert reset.status_code == 204, reset.text
    assert_bad_link(reused)
    assert (await sign_in(identity, "ada@example.com")).status_code == 401
    new_sign_in = await sign_in(identity, "ada@example.com", "a brand new password")
    assert new_sign_in.status_code == 200
    assert claims(new_sign_in.json()["access_token"])["email_verified"] is True
    old_session = await identity.client.post(
        "/api/auth/refresh", json={"refresh_token": up["refresh_token"]}
    )
    assert old_session.status_code == 401


async def test_asking_again_within_the_cooldown_sends_no_second_link(identity: Identity) -> None:
    up = await sign_up(identity.client, "ada@example.com")
    again = await identity.client.post(
        "/api/auth/email-verification", headers=bearer(up["access_token"])
    )
    for _ in range(3):
        await identity.client.post("/api/auth/password-reset", json={"email": "ada@example.com"})
    anonymous = await identity.client.post("/api/auth/email-verification")

    assert again.status_code == 202
    assert len(await links_sent(identity, "identity.email_verification_requested")) == 1
    assert len(await links_sent(identity, "identity.password_reset_requested")) == 1
    assert anonymous.status_code == 401
