"""Email verification and password reset links, on in-memory fakes: mailed through an event,
used once, before they expire, for their own kind only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from identity.config import IdentitySettings
from identity.domain.account_links import InvalidLinkToken
from identity.domain.refresh_tokens import InvalidRefreshToken
from identity.domain.users import InvalidCredentials
from identity.service import account_deletion, account_links, refresh_tokens, users

from .fakes import FakeIdentityUnits
from .service_world import PASSWORD, StoppedClock, signed_up, token_in

NEW_PASSWORD = "battery staple 2"


def newest_link(
    units: FakeIdentityUnits, kind: type[EmailVerificationRequested] | type[PasswordResetRequested]
) -> str:
    return token_in(units.outbox.messages(kind)[-1].link)


async def test_the_link_mailed_at_sign_up_verifies_the_email_once(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, _ = await signed_up(units, settings)
    token = newest_link(units, EmailVerificationRequested)

    await account_links.verify_email(units, token)

    assert (await users.current_user(units, user.id)).email_verified
    with pytest.raises(InvalidLinkToken):
        await account_links.verify_email(units, token)


async def test_an_expired_link_verifies_nothing(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    user, _ = await signed_up(units, settings)
    clock.now += timedelta(seconds=settings.email_verification_ttl_seconds)

    with pytest.raises(InvalidLinkToken):
        await account_links.verify_email(units, newest_link(units, EmailVerificationRequested))

    assert not units.tables.users[user.id].email_verified


async def test_asking_again_sends_no_link_within_the_cooldown_then_one_that_replaces_the_old(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    user, _ = await signed_up(units, settings)
    first = newest_link(units, EmailVerificationRequested)

    await account_links.request_email_verification(units, settings, user.id)
    assert len(units.outbox.messages(EmailVerificationRequested)) == 1
    clock.now += timedelta(seconds=settings.account_link_cooldown_seconds)
    await account_links.request_email_verification(units, settings, user.id)

    assert len(units.outbox.messages(EmailVerificationRequested)) == 2
    with pytest.raises(InvalidLinkToken):
        await account_links.verify_email(units, first)
    await account_links.verify_email(units, newest_link(units, EmailVerificationRequested))


async def test_a_verified_email_gets_no_more_links(
    units: FakeIdentityUnits, settings: IdentitySettings, clock: StoppedClock
) -> None:
    user, _ = await signed_up(units, settings)
    await account_links.verify_email(units, newest_link(units, EmailVerificationRequested))
    clock.now += timedelta(days=1)

    await account_links.request_email_verification(units, settings, user.id)

    assert len(units.outbox.messages(EmailVerificationRequested)) == 1


async def test_a_reset_for_an_unknown_email_is_answered_alike_and_mails_nothing(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    await signed_up(units, settings)

    await account_links.request_password_reset(units, settings, "nobody@example.com")

    assert units.outbox.messages(PasswordResetRequested) == []


async def test_a_reset_sets_the_password_ends_every_sign_in_and_proves_the_email(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, session = await signed_up(units, settings)
    await account_links.request_password_reset(units, settings, " ADA@example.com")
    [mailed] = units.outbox.messages(PasswordResetRequested)

    await account_links.reset_password(units, settings, token_in(mailed.link), NEW_PASSWORD)

    assert mailed.link.startswith("https://onetime.test/reset-password?token=")
    with pytest.raises(InvalidRefreshToken):
        await refresh_tokens.refresh(units, settings, session.refresh_token)
    with pytest.raises(InvalidCredentials):
        await users.sign_in(units, settings, email=user.email, password=PASSWORD)
    signed_in, _ = await users.sign_in(units, settings, email=user.email, password=NEW_PASSWORD)
    assert signed_in.email_verified


async def test_a_link_opens_only_its_own_kind(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    await signed_up(units, settings)
    await account_links.request_password_reset(units, settings, "ada@example.com")
    verification = newest_link(units, EmailVerificationRequested)
    reset = newest_link(units, PasswordResetRequested)

    with pytest.raises(InvalidLinkToken):
        await account_links.verify_email(units, reset)
    with pytest.raises(InvalidLinkToken):
        await account_links.reset_password(units, settings, verification, NEW_PASSWORD)


async def test_a_deleted_account_gets_no_reset_link(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    user, _ = await signed_up(units, settings)
    await account_deletion.delete_own_account(units, settings, user.id, PASSWORD)

    await account_links.request_password_reset(units, settings, "ada@example.com")

    assert units.outbox.messages(PasswordResetRequested) == []
