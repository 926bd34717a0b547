"""Events published by the identity service."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.envelope import Message
from contracts.values import UtcDatetime


class Role(StrEnum):
    BOOKER = "booker"
    OWNER = "owner"
    ADMIN = "admin"

    @classmethod
    def parse(cls, value: object) -> Role | None:
        """The role a claim or metadata value names, or None for anything else."""
        return cls(value) if isinstance(value, str) and value in cls._value2member_map_ else None


class UserCreated(Message):
    """Identity, when a user signs up (or Clerk reports a new user)."""

    message_type: ClassVar[str] = "identity.user_created"
    routing_key: ClassVar[str] = "identity.user.created"

    user_id: uuid.UUID
    email: str
    name: str
    role: Role


class UserUpdated(Message):
    """Identity, when a user's email or name changes."""

    message_type: ClassVar[str] = "identity.user_updated"
    routing_key: ClassVar[str] = "identity.user.updated"

    user_id: uuid.UUID
    email: str
    name: str


class UserDeleted(Message):
    """Identity, when a user's account is deleted: every service refuses their tokens from then."""

    message_type: ClassVar[str] = "identity.user_deleted"
    routing_key: ClassVar[str] = "identity.user.deleted"

    user_id: uuid.UUID
    deleted_at: UtcDatetime | None = None
    clerk_user_id: str | None = Field(
        default=None, description="The user's id at Clerk, the subject of their Clerk tokens."
    )


class RoleChanged(Message):
    """Identity, when an admin (or Clerk) changes a user's role: every service refuses the user's
    tokens that carry another role or were issued before `changed_at`."""

    message_type: ClassVar[str] = "identity.role_changed"
    routing_key: ClassVar[str] = "identity.user.role_changed"

    user_id: uuid.UUID
    old_role: Role
    new_role: Role
    changed_by: uuid.UUID | None = None
    changed_at: UtcDatetime | None = Field(
        default=None, description="When it changed: tokens issued before carry the old role."
    )
    clerk_user_id: str | None = Field(
        default=None, description="The user's id at Clerk, the subject of their Clerk tokens."
    )


class _AccountLinkRequested(Message):
    """A link for the person to open from their email; notifications sends it."""

    user_id: uuid.UUID
    email: str
    name: str
    link: str = Field(description="The page to open; it carries a single-use token.")
    expires_at: UtcDatetime


class EmailVerificationRequested(_AccountLinkRequested):
    """Identity, at sign-up and when a person asks again: a link proving the email is theirs."""

    message_type: ClassVar[str] = "identity.email_verification_requested"
    routing_key: ClassVar[str] = "identity.user.email_verification_requested"


class PasswordResetRequested(_AccountLinkRequested):
    """Identity, when someone asks to reset the password of an account with this email."""

    message_type: ClassVar[str] = "identity.password_reset_requested"
    routing_key: ClassVar[str] = "identity.user.password_reset_requested"
