"""Refresh rotation, reuse detection, expiry, sign-out and pruning, on in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contracts.identity import Role
from identity.config import IdentitySettings
from identity.domain.refresh_tokens import InvalidRefreshToken
from identity.service import refresh_tokens, users

from .fakes import FakeIdentityUnits
from .service_world import PASSWORD, StoppedClock, claims_of, signed_up


async def test_a_refresh_uses_up_the_token_and_hands_out_the_next(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, first = await signed_up(units, settings)

    again, second = await refresh_tokens.refresh(units, settings, first.refresh_token)
    _, third = await refresh_tokens.refresh(units, settings, second.refresh_token)

    assert again.id == user.id
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    assert len(units.tables.families) == 1  # one sign-in all along


async def test_a_used_token_shown_again_ends_that_sign_in_only(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    _, stolen = await signed_up(units, settings)
    _, other_device = await users.sign_in(
        units, settings, email="ada@example.com", password=PASSWORD
    )
    _, rotated = await refresh_tokens.refresh(units, settings, stolen.refresh_token)

    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, stolen.refresh_token)

    revoked = [row for row in units.tables.families.values() if row.family.revoked_at]
    assert [row.revoked_reason for row in revoked] == ["reuse"]
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, rotated.refresh_token)
    await refresh_tokens.refresh(units, settings, other_device.refresh_token)


async def test_a_token_nobody_handed_out_is_refused(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    await signed_up(units, settings)

    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, "made-up")

    assert all(row.family.revoked_at is None for row in units.tables.families.values())


async def test_an_unused_token_expires_but_refreshing_keeps_the_sign_in_alive(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    _, idle = await signed_up(units, settings)
    _, active = await users.sign_in(units, settings, email="ada@example.com", password=PASSWORD)
    ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)

    clock.now += ttl * 0.9
    _, active = await refresh_tokens.refresh(units, settings, active.refresh_token)
    clock.now += ttl * 0.2

    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, idle.refresh_token)
    await refresh_tokens.refresh(units, settings, active.refresh_token)


async def test_no_refresh_outlives_the_sign_in_it_belongs_to(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    _, tokens = await signed_up(units, settings)
    end = clock.now + timedelta(seconds=settings.refresh_family_ttl_seconds)
    step = timedelta(seconds=settings.refresh_token_ttl_seconds) * 0.9

    while clock.now + step < end:
        clock.now += step
        _, tokens = await refresh_tokens.refresh(units, settings, tokens.refresh_token)
    last_refresh, clock.now = clock.now, end

    assert tokens.refresh_expires_in == (end - last_refresh).total_seconds()
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, tokens.refresh_token)


async def test_a_refresh_carries_the_role_as_it_is_now(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, tokens = await signed_up(units, settings)
    await users.change_role(units, user_id=user.id, role=Role.OWNER, changed_by=None)

    _, refreshed = await refresh_tokens.refresh(units, settings, tokens.refresh_token)

    assert (await claims_of(refreshed.access_token, units, settings))["role"] == "owner"


async def test_an_account_deleted_since_cannot_refresh_and_its_sign_in_ends(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, tokens = await signed_up(units, settings)
    async with units.begin() as unit:
        await users.apply_access_change(unit, user, replace(user, deleted=True))

    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, tokens.refresh_token)

    [row] = units.tables.families.values()
    assert row.revoked_reason == "account closed"


async def test_sign_out_ends_the_sign_in_and_unknown_tokens_change_nothing(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    _, tokens = await signed_up(units, settings)

    await refresh_tokens.sign_out(units, "made-up")
    await refresh_tokens.sign_out(units, tokens.refresh_token)
    await refresh_tokens.sign_out(units, tokens.refresh_token)

    [row] = units.tables.families.values()
    assert row.revoked_reason == "signed out"
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, tokens.refresh_token)


async def test_handing_out_tokens_prunes_dead_sign_ins_and_expired_tokens(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    _, signed_out = await signed_up(units, settings)
    _, idle = await users.sign_in(units, settings, email="ada@example.com", password=PASSWORD)
    _, used = await users.sign_in(units, settings, email="ada@example.com", password=PASSWORD)
    await refresh_tokens.sign_out(units, signed_out.refresh_token)
    _, kept = await refresh_tokens.refresh(units, settings, used.refresh_token)
    clock.now += timedelta(seconds=settings.refresh_token_ttl_seconds) * 0.9
    _, kept = await refresh_tokens.refresh(units, settings, kept.refresh_token)
    clock.now += timedelta(seconds=settings.refresh_token_ttl_seconds) * 0.2

    await users.sign_in(units, settings, email="ada@example.com", password=PASSWORD)

    assert len(units.tables.families) == 2  # the refreshed sign-in and the new one
    assert len(units.tables.tokens) == 2  # their newest tokens: the older ones expired
    await refresh_tokens.refresh(units, settings, kept.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, idle.refresh_token)
