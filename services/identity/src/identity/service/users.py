"""Identity's use cases: each runs in one unit of work and records its events."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from contracts.identity import Role, RoleChanged, UserCreated, UserDeleted
from identity.config import IdentitySettings
from identity.domain.account_links import LinkPurpose
from identity.domain.user_directory import ListedUser, UserCursor, page_of
from identity.domain.users import (
    EmailTaken,
    InvalidCredentials,
    User,
    UserNotFound,
    check_an_admin_remains,
    loses_admin,
    new_user,
    normalize_email,
    with_role,
)
from identity.repositories import IdentityUnit, IdentityUnits
from identity.service import account_links, refresh_tokens, signing_keys
from identity.service.refresh_tokens import Tokens
from service_runtime.trust import AccessChange


def created(user: User) -> UserCreated:
    return UserCreated(user_id=user.id, email=user.email, name=user.name, role=user.role)


async def apply_access_change(
    unit: IdentityUnit, before: User, after: User, *, changed_by: uuid.UUID | None = None
) -> None:
    """Save a change of role or a deletion: refused when it removes the last admin, published
    with its time, and the user's older tokens refused by identity itself from this commit."""
    if loses_admin(before, after):
        check_an_admin_remains(await unit.users.other_admins(before.id))
    await unit.users.save(after)
    now = unit.now
    if after.deleted and not before.deleted:
        event: RoleChanged | UserDeleted = UserDeleted(
            user_id=after.id, deleted_at=now, clerk_user_id=after.clerk_user_id
        )
        change = AccessChange(after.id, now, deleted=True)
    elif after.role is not before.role:
        event = RoleChanged(
            user_id=after.id,
            old_role=before.role,
            new_role=after.role,
            changed_by=changed_by,
            changed_at=now,
            clerk_user_id=after.clerk_user_id,
        )
        change = AccessChange(after.id, now, role=after.role)
    else:
        return
    await unit.publish(event, correlation_id=str(after.id))
    await unit.record_access_change(change)


async def sign_up(
    units: IdentityUnits,
    settings: IdentitySettings,
    *,
    email: str,
    password: str,
    name: str,
    role: Role,
) -> tuple[User, Tokens]:
    password_hash = await settings.password_hashing().hash(password)
    user = new_user(email, name, role, password_hash)
    async with units.begin() as unit:
        await _add(unit, user)
        await account_links.send_link(unit, user, LinkPurpose.VERIFY_EMAIL, settings)
        tokens = await refresh_tokens.grant(unit, user, settings)
    return user, tokens


async def create_admin(
    units: IdentityUnits, settings: IdentitySettings, *, email: str, password: str, name: str
) -> User:
    """An admin account, made by an operator (never by self-service sign-up)."""
    password_hash = await settings.password_hashing().hash(password)
    user = with_role(new_user(email, name, Role.BOOKER, password_hash), Role.ADMIN)
    async with units.begin() as unit:
        await _add(unit, user)
    return user


async def _add(unit: IdentityUnit, user: User) -> None:
    if await unit.users.by_email(user.email):
        raise EmailTaken(user.email)
    await unit.users.add(user)
    await unit.publish(created(user), correlation_id=str(user.id))


async def sign_in(
    units: IdentityUnits, settings: IdentitySettings, *, email: str, password: str
) -> tuple[User, Tokens]:
    async with units.begin() as unit:
        user = await unit.users.by_email(normalize_email(email))
    # Checked holding no connection: under load a check waits its turn for a core.
    matches = await settings.password_hashing().verify(
        user.password_hash if user else None, password
    )
    if not matches or user is None or user.password_hash is None or user.deleted:
        raise InvalidCredentials()
    async with units.begin() as unit:
        return user, await refresh_tokens.grant(unit, user, settings)


async def current_user(units: IdentityUnits, user_id: uuid.UUID) -> User:
    """The signed-in user (whoever issued the token, it names them by our id)."""
    async with units.begin() as unit:
        user = await unit.users.by_id(user_id)
    if user is None or user.deleted:
        raise UserNotFound(user_id)
    return user


async def change_role(
    units: IdentityUnits, *, user_id: uuid.UUID, role: Role, changed_by: uuid.UUID | None
) -> User:
    async with units.begin() as unit:
        user = await unit.users.by_id(user_id)
        if user is None or user.deleted:
            raise UserNotFound(user_id)
        if user.role is role:
            return user
        changed = with_role(user, role)
        await apply_access_change(unit, user, changed, changed_by=changed_by)
    return changed


async def rotate_signing_key(units: IdentityUnits, settings: IdentitySettings) -> str:
    async with units.begin() as unit:
        key = await signing_keys.rotate(unit.signing_keys, unit.now, settings.key_cipher())
    return key.kid


async def reencrypt_signing_keys(units: IdentityUnits, settings: IdentitySettings) -> int:
    """Re-encrypt every signing key under the newest key-encryption key; how many."""
    async with units.begin() as unit:
        return await signing_keys.reencrypt(unit.signing_keys, settings.key_cipher())


async def public_keys(units: IdentityUnits, settings: IdentitySettings) -> dict[str, Any]:
    async with units.begin() as unit:
        await signing_keys.active_key(unit.signing_keys, unit.now, settings.key_cipher())
        return await signing_keys.jwks(
            unit.signing_keys, unit.now, timedelta(seconds=settings.access_token_ttl_seconds)
        )


async def list_users(
    units: IdentityUnits, *, text_in: str | None, limit: int, cursor: str | None
) -> tuple[list[ListedUser], str | None]:
    """A page of live users for admins, newest first, and the cursor of the next page."""
    after = UserCursor.decode(cursor) if cursor else None
    async with units.begin() as unit:
        found = await unit.users.listed(text_in=text_in, limit=limit + 1, after=after)
    listed, next_page = page_of(found, limit)
    return listed, next_page.encode() if next_page else None
