"""Events published by the identity service."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from contracts.envelope import Message


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
    """Identity, when a user's account is deleted."""

    message_type: ClassVar[str] = "identity.user_deleted"
    routing_key: ClassVar[str] = "identity.user.deleted"

    user_id: uuid.UUID


class RoleChanged(Message):
    """Identity, when an admin (or sign-up as owner) changes a user's role."""

    message_type: ClassVar[str] = "identity.role_changed"
    routing_key: ClassVar[str] = "identity.user.role_changed"

    user_id: uuid.UUID
    old_role: Role
    new_role: Role
    changed_by: uuid.UUID | None = None
