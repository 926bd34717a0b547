"""Users and the rules about their roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from contracts.identity import Role

SELF_SERVICE_ROLES = frozenset({Role.BOOKER, Role.OWNER})


class IdentityError(Exception):
    """Base of identity's domain errors."""


class EmailTaken(IdentityError):
    def __init__(self, email: str) -> None:
        super().__init__(f"An account with the email {email} exists already.")


class InvalidCredentials(IdentityError):
    def __init__(self) -> None:
        super().__init__("The email or password is wrong.")


class UserNotFound(IdentityError):
    def __init__(self, user_id: object) -> None:
        super().__init__(f"No user {user_id}.")


class RoleNotAllowed(IdentityError):
    def __init__(self, role: Role) -> None:
        super().__init__(f"An account cannot sign itself up as {role.value}.")


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    name: str
    role: Role
    password_hash: str | None = None
    clerk_user_id: str | None = None
    deleted: bool = False


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; we store them lower-cased."""
    return email.strip().lower()


def new_user(email: str, name: str, role: Role, password_hash: str | None) -> User:
    """A self-service sign-up: only bookers and owners; admins are made by admins."""
    if role not in SELF_SERVICE_ROLES:
        raise RoleNotAllowed(role)
    return User(
        id=uuid.uuid4(),
        email=normalize_email(email),
        name=name.strip(),
        role=role,
        password_hash=password_hash,
    )


def with_role(user: User, role: Role) -> User:
    return replace(user, role=role)


def access_token_claims(
    user: User, *, issuer: str, audience: str | None, now: datetime, ttl: timedelta
) -> dict[str, object]:
    """The claims of a short-lived access token; every service reads sub and role."""
    claims: dict[str, object] = {
        "iss": issuer,
        "sub": str(user.id),
        "role": user.role.value,
        "email": user.email,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if audience:
        claims["aud"] = audience
    return claims
