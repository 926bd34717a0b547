"""Identity's use cases: each runs in one unit of work and records its events."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.exc import IntegrityError

from contracts.identity import Role, RoleChanged, UserCreated, UserDeleted, UserUpdated
from identity import db, signing_keys
from identity.clerk import ClerkUserEvent
from identity.config import IdentitySettings
from identity.domain.users import (
    EmailTaken,
    InvalidCredentials,
    User,
    UserNotFound,
    access_token_claims,
    new_user,
    normalize_email,
    with_role,
)
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

_hasher = PasswordHasher()
# Hashing on unknown emails too keeps sign-in time from telling which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-password")


def _now() -> datetime:
    return datetime.now(UTC)


async def _issue_token(uow: UnitOfWork, user: User, settings: IdentitySettings) -> str:
    now = _now()
    key = await signing_keys.active_key(uow.session, now)
    claims = access_token_claims(
        user,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        now=now,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    return signing_keys.sign(claims, key)


def _created(user: User) -> UserCreated:
    return UserCreated(user_id=user.id, email=user.email, name=user.name, role=user.role)


async def sign_up(
    units: UnitsOfWork,
    settings: IdentitySettings,
    *,
    email: str,
    password: str,
    name: str,
    role: Role,
) -> tuple[User, str]:
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    user = new_user(email, name, role, password_hash)
    try:
        async with units.begin() as uow:
            await _add(uow, user)
            token = await _issue_token(uow, user, settings)
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise EmailTaken(user.email) from None
    return user, token


async def create_admin(units: UnitsOfWork, *, email: str, password: str, name: str) -> User:
    """An admin account, made by an operator (never by self-service sign-up)."""
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    user = with_role(new_user(email, name, Role.BOOKER, password_hash), Role.ADMIN)
    async with units.begin() as uow:
        await _add(uow, user)
    return user


async def _add(uow: UnitOfWork, user: User) -> None:
    if await db.user_by_email(uow.session, user.email):
        raise EmailTaken(user.email)
    await db.add_user(uow.session, user)
    await uow.publish(_created(user), correlation_id=str(user.id))


async def sign_in(
    units: UnitsOfWork, settings: IdentitySettings, *, email: str, password: str
) -> tuple[User, str]:
    async with units.begin() as uow:
        user = await db.user_by_email(uow.session, normalize_email(email))
        try:
            await asyncio.to_thread(
                _hasher.verify,
                user.password_hash if user and user.password_hash else _DUMMY_HASH,
                password,
            )
        except VerificationError:
            raise InvalidCredentials() from None
        if user is None or user.password_hash is None or user.deleted:
            raise InvalidCredentials()
        return user, await _issue_token(uow, user, settings)


async def current_user(units: UnitsOfWork, subject: str) -> User:
    """The user a token's subject names: our own id, or a Clerk user id."""
    async with units.begin() as uow:
        try:
            user = await db.user_by_id(uow.session, uuid.UUID(subject))
        except ValueError:
            user = await db.user_by_clerk_id(uow.session, subject)
    if user is None or user.deleted:
        raise UserNotFound(subject)
    return user


async def change_role(
    units: UnitsOfWork, *, user_id: uuid.UUID, role: Role, changed_by: uuid.UUID | None
) -> User:
    async with units.begin() as uow:
        user = await db.user_by_id(uow.session, user_id)
        if user is None or user.deleted:
            raise UserNotFound(user_id)
        if user.role is role:
            return user
        changed = with_role(user, role)
        await db.save_user(uow.session, changed)
        await uow.publish(
            RoleChanged(user_id=user.id, old_role=user.role, new_role=role, changed_by=changed_by),
            correlation_id=str(user.id),
        )
    return changed


async def apply_clerk_event(units: UnitsOfWork, event: ClerkUserEvent) -> bool:
    """Sync a Clerk user event once per svix id; False when it was a replay."""
    async with units.begin() as uow:
        if not await db.record_clerk_delivery(uow.session, event.svix_id, event.event_type):
            return False
        if event.event_type == "user.deleted":
            await _delete_clerk_user(uow, event)
        elif event.event_type in ("user.created", "user.updated"):
            await _upsert_clerk_user(uow, event)
    return True


async def _upsert_clerk_user(uow: UnitOfWork, event: ClerkUserEvent) -> None:
    email = normalize_email(event.email or f"{event.clerk_user_id}@users.clerk.invalid")
    existing = await db.user_matching(uow.session, event.clerk_user_id, email)
    if existing is None:
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=event.name,
            role=event.role or Role.BOOKER,
            clerk_user_id=event.clerk_user_id,
        )
        await db.add_user(uow.session, user)
        await uow.publish(_created(user), correlation_id=str(user.id))
        return
    updated = replace(
        existing, email=email, name=event.name, clerk_user_id=event.clerk_user_id, deleted=False
    )
    await db.save_user(uow.session, updated)
    await uow.publish(
        UserUpdated(user_id=updated.id, email=updated.email, name=updated.name),
        correlation_id=str(updated.id),
    )
    if event.role and event.role is not existing.role:
        await db.save_user(uow.session, with_role(updated, event.role))
        await uow.publish(
            RoleChanged(user_id=updated.id, old_role=existing.role, new_role=event.role),
            correlation_id=str(updated.id),
        )


async def _delete_clerk_user(uow: UnitOfWork, event: ClerkUserEvent) -> None:
    user = await db.user_by_clerk_id(uow.session, event.clerk_user_id)
    if user is None or user.deleted:
        return
    await db.save_user(uow.session, replace(user, deleted=True))
    await uow.publish(UserDeleted(user_id=user.id), correlation_id=str(user.id))


async def rotate_signing_key(units: UnitsOfWork) -> str:
    async with units.begin() as uow:
        key = await signing_keys.rotate(uow.session, _now())
    return key.kid


async def public_keys(units: UnitsOfWork, settings: IdentitySettings) -> dict[str, Any]:
    async with units.begin() as uow:
        await signing_keys.active_key(uow.session, _now())
        return await signing_keys.jwks(
            uow.session, _now(), timedelta(seconds=settings.access_token_ttl_seconds)
        )
