"""A person deletes their own account: confirmed by the password, it erases what identity
holds of them, ends every sign-in and is announced once."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from identity.db.account_links import account_links
from identity.db.refresh_tokens import refresh_token_families
from identity.db.users import users

from ..conftest import Identity, bearer, sign_up
from .test_account_links import PASSWORD, links_sent, sign_in


async def delete_me(identity: Identity, token: object, password: str | None) -> Any:
    body = {} if password is None else {"password": password}
    return await identity.client.request(
        "DELETE", "/api/users/me", json=body, headers=bearer(token)
    )


async def test_deleting_erases_the_person_and_ends_every_sign_in(identity: Identity) -> None:
    up = await sign_up(identity.client, "ada@example.com")
    await identity.client.post("/api/auth/password-reset", json={"email": "ada@example.com"})

    gone = await delete_me(identity, up["access_token"], PASSWORD)

    assert gone.status_code == 204, gone.text
    async with identity.runtime.database.transaction() as session:
        row = (await session.execute(select(users))).one()
        families = await session.scalar(select(func.count()).select_from(refresh_token_families))
        links = await session.scalar(select(func.count()).select_from(account_links))
    assert row.email.endswith(".invalid")
    assert "ada" not in row.email
    assert (row.name, row.password_hash, families, links) == ("", None, 0, 0)
    assert row.deleted_at is not None
    assert (await sign_in(identity, "ada@example.com")).status_code == 401
    refreshed = await identity.client.post(
        "/api/auth/refresh", json={"refresh_token": up["refresh_token"]}
    )
    assert refreshed.status_code == 401
    me = await identity.client.get("/api/users/me", headers=bearer(up["access_token"]))
    assert me.status_code in (401, 404), me.text
    # The address is free again: the person may come back as a new account.
    await sign_up(identity.client, "ada@example.com")


async def test_the_deletion_is_announced_once_even_when_asked_twice_at_once(
    identity: Identity,
) -> None:
    up = await sign_up(identity.client, "ada@example.com")
    me = await identity.client.get("/api/users/me", headers=bearer(up["access_token"]))

    answers = await asyncio.gather(
        delete_me(identity, up["access_token"], PASSWORD),
        delete_me(identity, up["access_token"], PASSWORD),
    )

    assert sorted(a.status_code for a in answers)[0] == 204
    [event] = await links_sent(identity, "identity.user_deleted")
    assert event["user_id"] == me.json()["id"]
    assert event["deleted_at"] is not None


async def test_a_wrong_or_missing_password_deletes_nothing(identity: Identity) -> None:
    up = await sign_up(identity.client, "ada@example.com")

    wrong = await delete_me(identity, up["access_token"], "not my password")
    missing = await delete_me(identity, up["access_token"], None)
    anonymous = await identity.client.request(
        "DELETE", "/api/users/me", json={"password": PASSWORD}
    )

    assert wrong.status_code == 403
    assert wrong.json()["errors"][0]["field"] == "password"
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"].endswith("password")
    assert anonymous.status_code == 401
    assert (await sign_in(identity, "ada@example.com")).status_code == 200
    assert await links_sent(identity, "identity.user_deleted") == []
