"""Users and the rules about their roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
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


class LastAdmin(IdentityError):
    def __init__(self) -> None:
        super().__init__("The last admin cannot be demoted or deleted: make another admin first.")


class ClerkLinkRefused(IdentityError):
    def __init__(self, email: str, reason: str) -> None:
        super().__init__(f"The account with the email {email} is not linked to Clerk: {reason}.")


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    name: str
    role: Role
    # Kept out of repr: a user printed (create-admin) or logged must not carry the hash.
    password_hash: str | None = field(default=None, repr=False)
    clerk_user_id: str | None = None
    deleted: bool = False
    clerk_event_at: datetime | None = None  # when the last Clerk event applied to it happened
    email_verified: bool = False  # the person opened a verification link sent to `email`


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


def link_to_clerk(local: User, clerk_user_id: str, *, email_verified: bool) -> User:
    """A local account taken over by the Clerk user with its email, only if Clerk verified it.

    Its name stays ours: linking is not a rename (Clerk's later updates are).
    """
    if local.clerk_user_id not in (None, clerk_user_id):
        raise ClerkLinkRefused(local.email, "it is linked to another Clerk user")
    if not email_verified:
        raise ClerkLinkRefused(local.email, "Clerk has not verified that email")
    return replace(local, clerk_user_id=clerk_user_id)


def may_sign_in(user: User) -> bool:
    """Whether the user may hold a session of ours: a live account with a password of ours."""
    return not user.deleted and user.password_hash is not None


def loses_admin(user: User, change: User) -> bool:
    """True when the change takes admin power away from the user (a demotion or a deletion)."""
    removed = change.deleted or change.role is not Role.ADMIN
    return user.role is Role.ADMIN and not user.deleted and removed


def check_an_admin_remains(other_admins: int) -> None:
    """Someone must stay able to moderate: refuse to remove the last admin."""
    if other_admins < 1:
        raise LastAdmin()


def access_token_claims(
    user: User, *, issuer: str, audience: str | None, now: datetime, ttl: timedelta
) -> dict[str, object]:
    """The claims of a short-lived access token; every service reads sub and role."""
    claims: dict[str, object] = {
        "iss": issuer,
        "sub": str(user.id),
        "role": user.role.value,
        "email": user.email,
        "email_verified": user.email_verified,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if audience:
        claims["aud"] = audience
    return claims


class WrongPassword(IdentityError):
    """Deleting an account asks for its password again: a stolen access token is not enough."""

    field = "password"

    def __init__(self) -> None:
        super().__init__("The password is wrong.")


class NoLocalPassword(IdentityError):
    def __init__(self) -> None:
        super().__init__(
            "This account signs in through Clerk: delete it there, and it is deleted here too."
        )


def erased(user: User) -> User:
    """The deleted account as kept: no personal data, its id alone (which the financial
    records of other services name). The address is in `.invalid` (RFC 2606): never delivered."""
    return replace(
        user,
        email=f"deleted-{user.id.hex}@deleted.invalid",
        name="",
        password_hash=None,
        deleted=True,
        email_verified=False,
    )
