"""Email verification and password reset: a link sent by email (through notifications), used
once before it expires. Each use case runs in one unit of work and records its event."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from identity.config import IdentitySettings
from identity.domain.account_links import (
    InvalidLinkToken,
    LinkPurpose,
    StoredLink,
    may_use,
    new_link_token,
)
from identity.domain.refresh_tokens import digest_of
from identity.domain.users import User, UserNotFound, may_sign_in, normalize_email
from identity.repositories import IdentityUnit, IdentityUnits

PAGES = {LinkPurpose.VERIFY_EMAIL: "/verify-email", LinkPurpose.RESET_PASSWORD: "/reset-password"}
EVENTS = {
    LinkPurpose.VERIFY_EMAIL: EmailVerificationRequested,
    LinkPurpose.RESET_PASSWORD: PasswordResetRequested,
}


async def send_link(
    unit: IdentityUnit, user: User, purpose: LinkPurpose, settings: IdentitySettings
) -> None:
    """A new link for the person, replacing their older ones of its kind; none when one was
    sent within the cooldown, so asking again and again does not flood their inbox."""
    now = unit.now
    newest = await unit.account_links.newest_at(user.id, purpose)
    if newest is not None and now - newest < timedelta(
        seconds=settings.account_link_cooldown_seconds
    ):
        return
    token = new_link_token()
    ttl = (
        settings.email_verification_ttl_seconds
        if purpose is LinkPurpose.VERIFY_EMAIL
        else settings.password_reset_ttl_seconds
    )
    link = StoredLink(digest_of(token), user.id, purpose, now + timedelta(seconds=ttl))
    await unit.account_links.replace(link, now)
    await unit.publish(
        EVENTS[purpose](
            user_id=user.id,
            email=user.email,
            name=user.name,
            link=f"{settings.public_web_url.rstrip('/')}{PAGES[purpose]}?token={token}",
            expires_at=link.expires_at,
        ),
        correlation_id=str(user.id),
    )


async def request_email_verification(
    units: IdentityUnits, settings: IdentitySettings, user_id: uuid.UUID
) -> None:
    async with units.begin() as unit:
        user = await unit.users.by_id(user_id)
        if user is None or not may_sign_in(user):
            raise UserNotFound(user_id)
        if not user.email_verified:
            await send_link(unit, user, LinkPurpose.VERIFY_EMAIL, settings)


async def verify_email(units: IdentityUnits, token: str) -> None:
    async with units.begin() as unit:
        link = await _use(unit, token, LinkPurpose.VERIFY_EMAIL)
        await unit.users.mark_email_verified(link.user_id, unit.now)


async def request_password_reset(
    units: IdentityUnits, settings: IdentitySettings, email: str
) -> None:
    """Answered alike whether an account has this email or not: it tells a stranger nothing."""
    async with units.begin() as unit:
        user = await unit.users.by_email(normalize_email(email))
        if user is not None and may_sign_in(user):
            await send_link(unit, user, LinkPurpose.RESET_PASSWORD, settings)


async def reset_password(
    units: IdentityUnits, settings: IdentitySettings, token: str, password: str
) -> None:
    """A new password, and every sign-in of the account ended: whoever knew the old one is out.
    Opening a link sent to the address also proves the address."""
    password_hash = await settings.password_hashing().hash(password)  # holding no connection
    async with units.begin() as unit:
        now = unit.now
        link = await _use(unit, token, LinkPurpose.RESET_PASSWORD)
        await unit.users.set_password_hash(link.user_id, password_hash, now)
        await unit.refresh_tokens.revoke_families_of(link.user_id, now, "password reset")
        await unit.users.mark_email_verified(link.user_id, now)


async def _use(unit: IdentityUnit, token: str, purpose: LinkPurpose) -> StoredLink:
    digest = digest_of(token)
    link = await unit.account_links.locked(digest)
    user = await unit.users.by_id(link.user_id) if link else None
    if link is None or not may_use(link, purpose, unit.now) or user is None or user.deleted:
        raise InvalidLinkToken()
    await unit.account_links.use(digest, unit.now)
    return link
