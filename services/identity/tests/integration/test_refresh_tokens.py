"""Sessions that last: refresh tokens rotate on every use, a reused one ends the sign-in for
everyone holding it, sign-out ends it, and expired or revoked rows are pruned."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select

from identity.db.refresh_tokens import refresh_token_families
from identity.db.refresh_tokens import refresh_tokens as refresh_token_rows
from identity.service import users

from ..conftest import Identity, StartIdentity, bearer, sign_up, signed_in_admin

PASSWORD = "correct horse 1"


async def refreshed(identity: Identity, token: object) -> Any:
    return await identity.client.post("/api/auth/refresh", json={"refresh_token": token})


async def signed_out(identity: Identity, token: object) -> int:
    response = await identity.client.post("/api/auth/sign-out", json={"refresh_token": token})
    return response.status_code


async def sign_in(identity: Identity, email: str) -> dict[str, Any]:
    response = await identity.client.post(
        "/api/auth/sign-in", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


def later(identity: Identity, monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """Identity's clock moves on by `by` (the server runs in this process)."""
    start = datetime.now(UTC)
    monkeypatch.setattr(identity.runtime.units, "clock", lambda: start + by)


async def rows(identity: Identity, table: Any) -> int:
    async with identity.runtime.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_sign_up_and_sign_in_hand_out_a_refresh_token(identity: Identity) -> None:
    up = await sign_up(identity.client, "ada@example.com")
    inn = await sign_in(identity, "ada@example.com")

    ttl = identity.settings.refresh_token_ttl_seconds
    for body in (up, inn):
        assert isinstance(body["refresh_token"], str)
        assert len(body["refresh_token"]) >= 43
        assert ttl - 5 <= int(body["refresh_expires_in"]) <= ttl  # type: ignore[call-overload]
        assert body["expires_in"] == identity.settings.access_token_ttl_seconds
    assert up["refresh_token"] != inn["refresh_token"]


async def test_each_refresh_hands_out_new_tokens_and_uses_up_the_old(identity: Identity) -> None:
    first = await sign_up(identity.client, "ada@example.com")

    second = await refreshed(identity, first["refresh_token"])
    third = await refreshed(identity, second.json()["refresh_token"])

    assert second.status_code == 200
    assert third.status_code == 200
    tokens = {first["refresh_token"], second.json()["refresh_token"], third.json()["refresh_token"]}
    assert len(tokens) == 3
    assert third.json()["access_token"] != second.json()["access_token"]
    me = await identity.client.get("/api/users/me", headers=bearer(third.json()["access_token"]))
    assert me.json()["email"] == "ada@example.com"
    assert third.json()["user"] == first["user"]


async def test_only_a_digest_of_the_token_is_stored(identity: Identity) -> None:
    body = await sign_up(identity.client, "ada@example.com")

    async with identity.runtime.database.transaction() as session:
        stored = (await session.execute(select(refresh_token_rows))).all()

    assert len(stored) == 1
    assert body["refresh_token"] not in repr(stored)


async def test_a_reused_token_ends_the_sign_in_for_both_holders(identity: Identity) -> None:
    stolen = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    victim = await refreshed(identity, stolen)

    thief = await refreshed(identity, stolen)
    victim_next = await refreshed(identity, victim.json()["refresh_token"])

    assert victim.status_code == 200
    assert_refused(thief)
    assert_refused(victim_next)


async def test_a_reuse_leaves_the_person_s_other_sign_ins_alone(identity: Identity) -> None:
    laptop = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    phone = (await sign_in(identity, "ada@example.com"))["refresh_token"]
    await refreshed(identity, laptop)

    assert_refused(await refreshed(identity, laptop))
    assert (await refreshed(identity, phone)).status_code == 200


async def test_concurrent_refreshes_with_one_token_let_exactly_one_through(
    identity: Identity,
) -> None:
    token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]

    answers = await asyncio.gather(*(refreshed(identity, token) for _ in range(4)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 401, 401, 401]
    [winner] = [answer for answer in answers if answer.status_code == 200]
    # The others were reuse: the family is revoked, the winner's new token too.
    assert_refused(await refreshed(identity, winner.json()["refresh_token"]))


async def test_an_unused_token_expires(identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    ttl = timedelta(seconds=identity.settings.refresh_token_ttl_seconds)

    later(identity, monkeypatch, ttl + timedelta(seconds=1))

    assert_refused(await refreshed(identity, token))


async def test_refreshing_keeps_a_person_signed_in_past_one_token_s_lifetime(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    ttl = timedelta(seconds=identity.settings.refresh_token_ttl_seconds)
    later(identity, monkeypatch, ttl * 0.75)
    token = (await refreshed(identity, token)).json()["refresh_token"]

    later(identity, monkeypatch, ttl * 1.5)

    assert (await refreshed(identity, token)).status_code == 200


async def test_no_refresh_outlives_the_sign_in_s_absolute_lifetime(
    start_identity: StartIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with start_identity(
        refresh_token_ttl_seconds=3600, refresh_family_ttl_seconds=600
    ) as identity:
        body = await sign_up(identity.client, "ada@example.com")
        assert 590 <= int(body["refresh_expires_in"]) <= 600  # type: ignore[call-overload]
        later(identity, monkeypatch, timedelta(seconds=300))
        token = (await refreshed(identity, body["refresh_token"])).json()["refresh_token"]
        later(identity, monkeypatch, timedelta(seconds=601))

        assert_refused(await refreshed(identity, token))


async def test_sign_out_ends_the_sign_in_and_tells_nothing(identity: Identity) -> None:
    token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    other = (await sign_in(identity, "ada@example.com"))["refresh_token"]

    assert await signed_out(identity, token) == 204
    assert await signed_out(identity, token) == 204
    assert await signed_out(identity, "never-handed-out") == 204
    assert_refused(await refreshed(identity, token))
    assert (await refreshed(identity, other)).status_code == 200


async def test_sign_out_after_a_refresh_ends_the_new_token_too(identity: Identity) -> None:
    old = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    new = (await refreshed(identity, old)).json()["refresh_token"]

    assert await signed_out(identity, old) == 204

    assert_refused(await refreshed(identity, new))


async def test_a_refresh_carries_the_role_the_user_has_now(identity: Identity) -> None:
    admin = await signed_in_admin(identity, "root@example.com")
    booker = await sign_up(identity.client, "ada@example.com")
    user_id = booker["user"]["id"]  # type: ignore[index]
    changed = await identity.client.put(
        f"/api/admin/users/{user_id}/role", json={"role": "owner"}, headers=bearer(admin)
    )
    assert changed.status_code == 200

    answer = await refreshed(identity, booker["refresh_token"])

    assert answer.status_code == 200
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["role"] == "owner"
    assert answer.json()["user"]["role"] == "owner"
    me = await identity.client.get("/api/users/me", headers=bearer(answer.json()["access_token"]))
    assert me.json()["role"] == "owner"


async def test_a_deleted_account_cannot_refresh(identity: Identity) -> None:
    body = await sign_up(identity.client, "ada@example.com")
    async with identity.units.begin() as unit:
        user = await unit.users.by_email("ada@example.com")
        assert user is not None
        await users.apply_access_change(unit, user, replace(user, deleted=True))

    assert_refused(await refreshed(identity, body["refresh_token"]))


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/sign-out"])
@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": 7},
                                  {"refresh_token": "t" * 201}])  # fmt: skip
async def test_a_body_without_a_bounded_token_names_the_field(
    identity: Identity, path: str, body: dict[str, object]
) -> None:
    response = await identity.client.post(path, json=body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body.refresh_token"]


@pytest.mark.parametrize("token", ["not-a-token", "a\x00b", "t" * 200])
async def test_a_token_we_never_made_is_refused(identity: Identity, token: str) -> None:
    assert_refused(await refreshed(identity, token))


async def test_expired_and_revoked_sign_ins_are_pruned(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_out_token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    await sign_in(identity, "ada@example.com")  # left to expire
    await signed_out(identity, signed_out_token)
    assert await rows(identity, refresh_token_families) == 2

    later(identity, monkeypatch, timedelta(seconds=identity.settings.refresh_token_ttl_seconds + 1))
    await sign_in(identity, "ada@example.com")

    assert await rows(identity, refresh_token_families) == 1
    assert await rows(identity, refresh_token_rows) == 1


async def test_used_tokens_are_kept_until_they_expire_then_pruned(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = (await sign_up(identity.client, "ada@example.com"))["refresh_token"]
    ttl = timedelta(seconds=identity.settings.refresh_token_ttl_seconds)
    later(identity, monkeypatch, ttl * 0.6)
    token = (await refreshed(identity, token)).json()["refresh_token"]
    assert await rows(identity, refresh_token_rows) == 2  # the used one catches a reuse

    later(identity, monkeypatch, ttl * 1.2)
    assert (await refreshed(identity, token)).status_code == 200

    assert await rows(identity, refresh_token_rows) == 2  # the first went, the second is new
