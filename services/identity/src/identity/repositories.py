"""What identity's use cases need from storage, as Protocols: `db/` implements them on
PostgreSQL, the fast tests with in-memory fakes. A use case sees one `IdentityUnit`: the
repositories of one transaction, its clock reading and its outbox."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contracts import Envelope, Message
from identity.domain.account_links import LinkPurpose, StoredLink
from identity.domain.refresh_tokens import Family, StoredToken
from identity.domain.user_directory import ListedUser, UserCursor
from identity.domain.users import User
from service_runtime.trust import AccessChange


@dataclass(frozen=True)
class StoredSigningKey:
    """A key as stored: its private half encrypted, or (until sealed) in plaintext."""

    kid: str
    private_key_encrypted: str | None
    private_key_pem: str | None
    public_jwk: dict[str, Any]
    retired_at: datetime | None


class Users(Protocol):
    async def by_id(self, user_id: uuid.UUID) -> User | None: ...

    async def by_email(self, email: str) -> User | None: ...

    async def by_clerk_id(self, clerk_user_id: str) -> User | None: ...

    async def locked(self, user_id: uuid.UUID) -> User | None:
        """The user, locked until commit: two changes at once run one after the other."""
        ...

    async def listed(
        self, *, text_in: str | None, limit: int, after: UserCursor | None
    ) -> list[ListedUser]:
        """Live users, newest first, whose email or name contains the text (any case)."""
        ...

    async def add(self, user: User) -> None:
        """Raises EmailTaken when another account has the email, one added concurrently too."""
        ...

    async def save(self, user: User) -> None:
        """Store all but the password hash and verified mark; a new email is not verified."""
        ...

    async def other_admins(self, user_id: uuid.UUID) -> int:
        """How many admins there are besides this user, counted one change at a time."""
        ...

    async def mark_email_verified(self, user_id: uuid.UUID, now: datetime) -> None: ...

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, now: datetime
    ) -> None: ...

    async def clear_password_and_verification(self, user_id: uuid.UUID) -> None: ...


class AccessChanges(Protocol):
    async def __call__(self, change: AccessChange) -> None:
        """Remember a role change or deletion: identity refuses older tokens from the commit."""
        ...


class RefreshTokens(Protocol):
    async def add_family(self, family: Family, now: datetime) -> None: ...

    async def add_token(self, token: StoredToken, now: datetime) -> None:
        """Store the digest of a family's next token; the family stays alive as long as it."""
        ...

    async def locked(self, digest: str) -> tuple[Family | None, StoredToken | None]:
        """The token with this digest and its family, the family locked until commit."""
        ...

    async def use(self, digest: str, now: datetime) -> None: ...

    async def revoke_family(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        """Revoke the family unless it is: the first reason and time stay."""
        ...

    async def revoke_families_of(self, user_id: uuid.UUID, now: datetime, reason: str) -> None:
        """End every sign-in of the user, as `revoke_family` does."""
        ...

    async def delete_families_of(self, user_id: uuid.UUID) -> None:
        """Every sign-in of the user gone, with its tokens."""
        ...

    async def prune(self, now: datetime, batch: int) -> int:
        """Delete up to `batch` dead families (with their tokens) and `batch` expired tokens;
        how many rows went."""
        ...


class AccountLinks(Protocol):
    async def replace(self, link: StoredLink, now: datetime) -> None:
        """Store a new link, dropping the person's older ones of its kind and any expired."""
        ...

    async def newest_at(self, user_id: uuid.UUID, purpose: LinkPurpose) -> datetime | None:
        """When the person's last link of this kind was made, locked with the user."""
        ...

    async def locked(self, digest: str) -> StoredLink | None:
        """The link with this digest, locked until commit so it is used once."""
        ...

    async def use(self, digest: str, now: datetime) -> None: ...

    async def delete_of(self, user_id: uuid.UUID) -> None: ...


class SigningKeys(Protocol):
    async def lock(self) -> None:
        """Held to commit: replicas starting together must not each create an active key."""
        ...

    async def valid(self, *, retired_after: datetime) -> list[StoredSigningKey]:
        """Active keys and those retired after the given time, newest first."""
        ...

    async def active(self) -> list[StoredSigningKey]:
        """The keys that sign new tokens, newest first: one, unless replicas raced to make it."""
        ...

    async def every(self) -> list[StoredSigningKey]: ...

    async def add(
        self, *, kid: str, private_key_encrypted: str, public_jwk: dict[str, Any], now: datetime
    ) -> None: ...

    async def retire_active(self, now: datetime) -> None: ...

    async def seal(self, kid: str, private_key_encrypted: str) -> None:
        """Keep the key encrypted only: any plaintext copy goes."""
        ...


class ClerkDeliveries(Protocol):
    async def __call__(self, svix_id: str, event_type: str) -> bool:
        """Record a Clerk webhook delivery; False when this svix id was recorded before."""
        ...


class IdentityUnit(Protocol):
    """One transaction of identity: its repositories, its clock reading, its outbox."""

    users: Users
    record_access_change: AccessChanges
    refresh_tokens: RefreshTokens
    account_links: AccountLinks
    signing_keys: SigningKeys
    record_clerk_delivery: ClerkDeliveries
    now: datetime

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope: ...


class IdentityUnits(Protocol):
    def begin(self) -> AbstractAsyncContextManager[IdentityUnit]: ...
