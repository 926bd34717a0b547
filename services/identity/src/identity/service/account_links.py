"""Email verification and password reset: a link sent by email (through notifications), used
once before it expires. Each use case runs in one unit of work and records its event."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from identity.config import IdentitySettings
from identity.db.account_links import (
    locked_account_link,
    newest_account_link_at,
    replace_account_link,
    use_account_link,
)
from identity.db.refresh_tokens import revoke_refresh_families_of
from identity.db.users import mark_email_verified, set_password_hash, user_by_email, user_by_id
from identity.domain.account_links import (
    InvalidLinkToken,
    LinkPurpose,
    StoredLink,
    may_use,
    new_link_token,
)
from identity.domain.refresh_tokens import digest_of
from identity.domain.users import User, UserNotFound, may_sign_in, normalize_email
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

PAGES = {LinkPurpose.VERIFY_EMAIL: "/verify-email", LinkPurpose.RESET_PASSWORD: "/reset-password"}
EVENTS = {
    LinkPurpose.VERIFY_EMAIL: EmailVerificationRequested,
    LinkPurpose.RESET_PASSWORD: PasswordResetRequested,
}


async def send_link(
    uow: UnitOfWork, user: User, purpose: LinkPurpose, settings: IdentitySettings
) -> None:
    """A new link for the person, replacing their older ones of its kind; none when one was
    sent within the cooldown, so asking again and again does not flood their inbox."""
    now = uow.now
    newest = await newest_account_link_at(uow.session, user.id, purpose)
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
    await replace_account_link(uow.session, link, now)
    await uow.publish(
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
    units: UnitsOfWork, settings: IdentitySettings, user_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        user = await user_by_id(uow.session, user_id)
        if user is None or not may_sign_in(user):
            raise UserNotFound(user_id)
        if not user.email_verified:
            await send_link(uow, user, LinkPurpose.VERIFY_EMAIL, settings)


async def verify_email(units: UnitsOfWork, token: str) -> None:
    async with units.begin() as uow:
        link = await _use(uow, token, LinkPurpose.VERIFY_EMAIL)
        await mark_email_verified(uow.session, link.user_id, uow.now)


async def request_password_reset(
    units: UnitsOfWork, settings: IdentitySettings, email: str
) -> None:
    """Answered alike whether an account has this email or not: it tells a stranger nothing."""
    async with units.begin() as uow:
        user = await user_by_email(uow.session, normalize_email(email))
        if user is not None and may_sign_in(user):
            await send_link(uow, user, LinkPurpose.RESET_PASSWORD, settings)


async def reset_password(
    units: UnitsOfWork, settings: IdentitySettings, token: str, password: str
) -> None:
    """A new password, and every sign-in of the account ended: whoever knew the old one is out.
    Opening a link sent to the address also proves the address."""
    password_hash = await settings.password_hashing().hash(password)  # holding no connection
    async with units.begin() as uow:
        now = uow.now
        link = await _use(uow, token, LinkPurpose.RESET_PASSWORD)
        await set_password_hash(uow.session, link.user_id, password_hash, now)
        await revoke_refresh_families_of(uow.session, link.user_id, now, "password reset")
        await mark_email_verified(uow.session, link.user_id, now)


async def _use(uow: UnitOfWork, token: str, purpose: LinkPurpose) -> StoredLink:
    digest = digest_of(token)
    link = await locked_account_link(uow.session, digest)
    user = await user_by_id(uow.session, link.user_id) if link else None
    if link is None or not may_use(link, purpose, uow.now) or user is None or user.deleted:
        raise InvalidLinkToken()
    await use_account_link(uow.session, digest, uow.now)
    return link
