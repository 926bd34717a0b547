"""The admins' list of users: only for admins, newest first, searchable, a page at a time."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import Identity, bearer, sign_up, signed_in_admin


async def listed(identity: Identity, token: str, **params: Any) -> Any:
    return await identity.client.get("/api/admin/users", params=params, headers=bearer(token))


async def test_only_admins_list_users(identity: Identity) -> None:
    booker = await sign_up(identity.client, "ada@example.com")
    owner = await sign_up(identity.client, "olga@example.com", role="owner")

    anonymous = await identity.client.get("/api/admin/users")

    assert anonymous.status_code == 401
    for person in (booker, owner):
        refused = await listed(identity, str(person["access_token"]))
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


async def test_admins_page_through_every_user_newest_first(identity: Identity) -> None:
    admin = await signed_in_admin(identity, "root@example.com")
    for n in range(5):
        await sign_up(identity.client, f"user{n}@example.com")

    pages, cursor = [], None
    while True:
        answer = await listed(identity, admin, limit=2, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        pages.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break

    emails = [user["email"] for page in pages for user in page]
    assert [len(page) for page in pages] == [2, 2, 2]
    assert emails == [f"user{n}@example.com" for n in reversed(range(5))] + ["root@example.com"]
    first = pages[0][0]
    assert set(first) == {"id", "email", "name", "role", "email_verified", "created_at"}
    assert first["role"] == "booker"
    assert first["name"] == "Ada Lovelace"


async def test_admins_find_users_by_part_of_their_email_or_name(identity: Identity) -> None:
    admin = await signed_in_admin(identity, "root@example.com")
    await sign_up(identity.client, "grace.hopper@example.com")
    await sign_up(identity.client, "alan_turing@example.com")
    await sign_up(identity.client, "alanxturing@example.com")

    by_email = await listed(identity, admin, q="HOPPER")
    by_name = await listed(identity, admin, q="root")  # the admin's name is Root
    literal = await listed(identity, admin, q="alan_")  # `_` is no wildcard
    nobody = await listed(identity, admin, q="100%")

    assert [u["email"] for u in by_email.json()["items"]] == ["grace.hopper@example.com"]
    assert [u["email"] for u in by_name.json()["items"]] == ["root@example.com"]
    assert [u["email"] for u in literal.json()["items"]] == ["alan_turing@example.com"]
    assert nobody.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"q": "x" * 201}, "query.q"),
        ({"q": "a\x00b"}, "query.q"),
        ({"cursor": "c" * 201}, "query.cursor"),
    ],
)
async def test_unbounded_list_parameters_name_the_field(
    identity: Identity, params: dict[str, Any], field: str
) -> None:
    admin = await signed_in_admin(identity, "root@example.com")

    answer = await listed(identity, admin, **params)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]


async def test_a_cursor_this_list_never_made_is_refused(identity: Identity) -> None:
    admin = await signed_in_admin(identity, "root@example.com")

    answer = await listed(identity, admin, cursor="bm90IGEgY3Vyc29y")

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "cursor" in answer.json()["detail"]
