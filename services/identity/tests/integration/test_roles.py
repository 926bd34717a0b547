"""Role changes take effect on the next request, and someone always stays admin."""

from __future__ import annotations

import asyncio

import jwt
from sqlalchemy import func, select

from identity.db.users import users

from ..conftest import Identity, bearer, signed_in_admin


def user_id_of(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


async def set_role(identity: Identity, token: str, user_id: str, role: str) -> int:
    response = await identity.client.put(
        f"/api/admin/users/{user_id}/role", json={"role": role}, headers=bearer(token)
    )
    return response.status_code


async def admins(identity: Identity) -> int:
    async with identity.runtime.database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(users).where(users.c.role == "admin")
        )
    return int(count or 0)


async def test_demoted_admin_loses_admin_power_on_the_next_request(identity: Identity) -> None:
    root = await signed_in_admin(identity, "root@example.com")
    other = await signed_in_admin(identity, "other@example.com")

    assert await set_role(identity, root, user_id_of(other), "booker") == 200
    demoted_acts = await identity.client.put(
        f"/api/admin/users/{user_id_of(root)}/role",
        json={"role": "booker"},
        headers=bearer(other),
    )
    old_token_me = await identity.client.get("/api/users/me", headers=bearer(other))
    again = await identity.client.post(
        "/api/auth/sign-in", json={"email": "other@example.com", "password": "admin password"}
    )
    new_token = again.json()["access_token"]
    new_token_me = await identity.client.get("/api/users/me", headers=bearer(new_token))

    assert demoted_acts.status_code == 401
    assert demoted_acts.headers["content-type"] == "application/problem+json"
    assert old_token_me.status_code == 401
    assert new_token_me.json()["role"] == "booker"
    assert await set_role(identity, new_token, user_id_of(root), "booker") == 403
    assert await admins(identity) == 1


async def test_the_last_admin_cannot_be_demoted(identity: Identity) -> None:
    root = await signed_in_admin(identity, "root@example.com")

    response = await identity.client.put(
        f"/api/admin/users/{user_id_of(root)}/role", json={"role": "owner"}, headers=bearer(root)
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "last admin" in response.json()["detail"]
    assert (await identity.client.get("/api/users/me", headers=bearer(root))).json()[
        "role"
    ] == "admin"


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(identity: Identity) -> None:
    first = await signed_in_admin(identity, "first@example.com")
    second = await signed_in_admin(identity, "second@example.com")

    statuses = await asyncio.gather(
        set_role(identity, first, user_id_of(second), "booker"),
        set_role(identity, second, user_id_of(first), "booker"),
    )

    assert sorted(statuses)[0] == 200
    assert sorted(statuses)[1] in (401, 409)  # refused by the count, or its token already stale
    assert await admins(identity) == 1
