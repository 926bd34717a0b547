"""The admins' list of users: pages and their cursors, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.identity import Role
from identity.domain.user_directory import InvalidUserQuery, ListedUser, UserCursor, page_of
from identity.domain.users import User

START = datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def listed(count: int) -> list[ListedUser]:
    return [
        ListedUser(
            User(uuid.uuid4(), f"u{n}@example.com", f"U {n}", Role.BOOKER),
            START - timedelta(minutes=n),
        )
        for n in range(count)
    ]


def test_a_cursor_comes_back_exactly_as_it_went_out() -> None:
    cursor = UserCursor(START, uuid.uuid4())
    assert UserCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "token", ["", "not base64 !", "bnVsbA", "WzFd", "WzEsMl0", '["2030-01-01T00:00:00","x"]']
)
def test_anything_else_is_not_a_cursor(token: str) -> None:
    with pytest.raises(InvalidUserQuery, match="cursor"):
        UserCursor.decode(token)


def test_a_naive_time_is_not_a_cursor() -> None:
    naive = UserCursor(START.replace(tzinfo=None), uuid.uuid4()).encode()
    with pytest.raises(InvalidUserQuery):
        UserCursor.decode(naive)


def test_a_full_page_points_at_its_last_user() -> None:
    found = listed(4)

    page, cursor = page_of(found, 3)

    assert page == found[:3]
    assert cursor == UserCursor(found[2].created_at, found[2].user.id)


def test_the_last_page_has_no_cursor() -> None:
    found = listed(3)
    assert page_of(found, 3) == (found, None)
