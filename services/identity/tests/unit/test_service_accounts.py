"""Sign-up, sign-in, roles, the admins' list and deleting one's own account, on in-memory
fakes (no servers)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.identity import (
    EmailVerificationRequested,
    Role,
    RoleChanged,
    UserCreated,
    UserDeleted,
)
from identity.config import IdentitySettings
from identity.domain.refresh_tokens import InvalidRefreshToken
from identity.domain.users import (
    EmailTaken,
    InvalidCredentials,
    LastAdmin,
    NoLocalPassword,
    UserNotFound,
    WrongPassword,
)
from identity.service import account_deletion, refresh_tokens, users

from .fakes import FakeIdentityUnits
from .service_world import NOW, PASSWORD, StoppedClock, claims_of, signed_up


async def test_a_sign_up_announces_the_person_mails_a_link_and_signs_them_in(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, tokens = await signed_up(units, settings, email="  Ada@Example.COM ", role=Role.OWNER)

    [created] = units.outbox.messages(UserCreated)
    [mailed] = units.outbox.messages(EmailVerificationRequested)
    claims = await claims_of(tokens.access_token, units, settings)
    assert (created.user_id, created.email, created.role) == (user.id, "ada@example.com", "owner")
    assert mailed.user_id == user.id
    assert mailed.link.startswith("https://onetime.test/verify-email?token=")
    assert (claims["sub"], claims["role"], claims["email_verified"]) == (
        str(user.id),
        "owner",
        False,
    )
    assert tokens.refresh_token not in units.tables.tokens  # only its digest is kept


async def test_an_email_signs_up_once_whatever_its_case(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    await signed_up(units, settings, email="ada@example.com")

    with pytest.raises(EmailTaken):
        await signed_up(units, settings, email="ADA@example.com")

    assert len(units.tables.users) == 1
    assert len(units.outbox.messages(UserCreated)) == 1


async def test_sign_in_with_the_password_starts_another_session(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, first = await signed_up(units, settings)

    again, second = await users.sign_in(units, settings, email="ADA@example.com", password=PASSWORD)

    assert again.id == user.id
    assert second.refresh_token != first.refresh_token
    assert len(units.tables.families) == 2


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong horse 1"), ("nobody@example.com", PASSWORD)],
)
async def test_a_wrong_password_or_email_is_one_answer(
    units: FakeIdentityUnits, settings: IdentitySettings, email: str, password: str
) -> None:
    await signed_up(units, settings)

    with pytest.raises(InvalidCredentials):
        await users.sign_in(units, settings, email=email, password=password)

    assert len(units.tables.families) == 1  # the sign-up's only


async def test_an_admin_changes_a_role_and_the_change_is_announced_and_enforced(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    admin = await users.create_admin(
        units, settings, email="root@example.com", password=PASSWORD, name="Root"
    )
    user, _ = await signed_up(units, settings)

    changed = await users.change_role(units, user_id=user.id, role=Role.OWNER, changed_by=admin.id)

    [event] = units.outbox.messages(RoleChanged)
    [access] = units.tables.access_changes
    assert changed.role is Role.OWNER
    assert (event.old_role, event.new_role, event.changed_by) == (Role.BOOKER, Role.OWNER, admin.id)
    assert (access.user_id, access.role, access.changed_at) == (user.id, Role.OWNER, NOW)
    assert (await users.current_user(units, user.id)).role is Role.OWNER


async def test_the_role_a_user_has_already_changes_nothing(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, _ = await signed_up(units, settings)

    await users.change_role(units, user_id=user.id, role=Role.BOOKER, changed_by=None)

    assert units.outbox.messages(RoleChanged) == []
    assert units.tables.access_changes == []


async def test_the_last_admin_cannot_be_demoted(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    admin = await users.create_admin(
        units, settings, email="root@example.com", password=PASSWORD, name="Root"
    )

    with pytest.raises(LastAdmin):
        await users.change_role(units, user_id=admin.id, role=Role.BOOKER, changed_by=admin.id)

    assert units.tables.users[admin.id].role is Role.ADMIN
    assert units.outbox.messages(RoleChanged) == []


async def test_admins_page_through_live_users_newest_first_and_search_them(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    made = []
    for n in range(3):
        made.append((await signed_up(units, settings, email=f"u{n}@example.com"))[0])
        clock.now += timedelta(minutes=1)
    await account_deletion.delete_own_account(units, settings, made[1].id, PASSWORD)

    first, cursor = await users.list_users(units, text_in=None, limit=1, cursor=None)
    second, end = await users.list_users(units, text_in=None, limit=1, cursor=cursor)
    found, _ = await users.list_users(units, text_in="U0@", limit=10, cursor=None)

    assert [e.user.id for e in first + second] == [made[2].id, made[0].id]
    assert end is None
    assert [e.user.id for e in found] == [made[0].id]


async def test_deleting_an_account_erases_the_person_and_announces_it_once(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, tokens = await signed_up(units, settings)

    await account_deletion.delete_own_account(units, settings, user.id, PASSWORD)

    kept = units.tables.users[user.id]
    [event] = units.outbox.messages(UserDeleted)
    assert (kept.email, kept.name, kept.password_hash) == (
        f"deleted-{user.id.hex}@deleted.invalid",
        "",
        None,
    )
    assert event.user_id == user.id
    assert units.tables.access_changes[-1].deleted
    assert units.tables.families == {}
    assert units.tables.links == {}
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, tokens.refresh_token)
    with pytest.raises(UserNotFound):
        await account_deletion.delete_own_account(units, settings, user.id, PASSWORD)
    await signed_up(units, settings)  # the address is free again


async def test_a_wrong_password_deletes_nothing(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, _ = await signed_up(units, settings)
    before = units.tables.users[user.id]

    with pytest.raises(WrongPassword):
        await account_deletion.delete_own_account(units, settings, user.id, "not my password")

    assert units.tables.users[user.id] == before
    assert units.outbox.messages(UserDeleted) == []


async def test_an_account_without_a_password_of_ours_is_deleted_at_clerk(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, _ = await signed_up(units, settings)
    async with units.begin() as unit:
        await unit.users.clear_password_and_verification(user.id)

    with pytest.raises(NoLocalPassword):
        await account_deletion.delete_own_account(units, settings, user.id, PASSWORD)
    assert not units.tables.users[user.id].deleted
