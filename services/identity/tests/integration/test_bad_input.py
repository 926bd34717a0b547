"""Bad input on identity's own API is a 422 problem naming the field, never a 500."""

from __future__ import annotations

import pytest

from ..conftest import Identity, bearer, signed_in_admin

GOOD = {"email": "ok@example.com", "password": "long enough 1", "name": "Ada"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a\x00b@example.com"),
        ("email", "a" * 250 + "@example.com"),
        ("password", "correct\x00horse battery"),
        ("password", "p" * 257),
        ("name", "Ad\x00a"),
        ("name", "n" * 201),
        ("name", "   "),
    ],
)
async def test_sign_up_refuses_unstorable_or_unbounded_text(
    identity: Identity, field: str, value: str
) -> None:
    response = await identity.client.post("/api/auth/sign-up", json={**GOOD, field: value})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [f"body.{field}"]


@pytest.mark.parametrize(
    ("field", "value"), [("email", "x\x00@example.com"), ("password", "p" * 257)]
)
async def test_sign_in_refuses_unstorable_or_unbounded_text(
    identity: Identity, field: str, value: str
) -> None:
    body = {"email": "ok@example.com", "password": "long enough 1", field: value}

    response = await identity.client.post("/api/auth/sign-in", json=body)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [f"body.{field}"]


async def test_role_change_names_a_bad_user_id_and_role(identity: Identity) -> None:
    admin = await signed_in_admin(identity, "root@example.com")

    response = await identity.client.put(
        "/api/admin/users/not-a-uuid/role", json={"role": "emperor"}, headers=bearer(admin)
    )

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {
        "path.user_id",
        "body.role",
    }
