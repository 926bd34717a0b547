"""In-memory repositories behind identity's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: one account per email, a saved user keeps
its password hash and loses its verified mark with its email, a revoked family keeps its first
reason, a new link replaces the older ones of its kind, dead families and expired tokens are
pruned. Locks are no-ops: fake units run one at a time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography.fernet import MultiFernet

from contracts import Envelope, Message
from contracts.identity import Role
from identity.domain.account_links import LinkPurpose, StoredLink
from identity.domain.refresh_tokens import Family, StoredToken
from identity.domain.user_directory import ListedUser, UserCursor
from identity.domain.users import EmailTaken, User
from identity.repositories import (
    AccessChanges,
    AccountLinks,
    ClerkDeliveries,
    IdentityUnit,
    RefreshTokens,
    SigningKeys,
    StoredSigningKey,
    Users,
)
from identity.service.signing_keys import SigningKey
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork
from service_runtime.trust import AccessChange


@dataclass
class FamilyRow:
    family: Family
    idle_expires_at: datetime  # when its newest token expires
    revoked_reason: str | None = None


@dataclass
class LinkRow:
    link: StoredLink
    created_at: datetime


@dataclass
class KeyRow:
    key: StoredSigningKey
    created_at: datetime


@dataclass
class IdentityTables:
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    user_created_at: dict[uuid.UUID, datetime] = field(default_factory=dict)
    access_changes: list[AccessChange] = field(default_factory=list)
    families: dict[uuid.UUID, FamilyRow] = field(default_factory=dict)
    tokens: dict[str, StoredToken] = field(default_factory=dict)
    links: dict[str, LinkRow] = field(default_factory=dict)
    signing_keys: dict[str, KeyRow] = field(default_factory=dict)
    clerk_deliveries: set[str] = field(default_factory=set)

    def user_by_email(self, email: str) -> User:
        [user] = [u for u in self.users.values() if u.email == email]
        return user


class FakeUsers:
    def __init__(self, tables: IdentityTables, now: datetime) -> None:
        self._t = tables
        self._now = now

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        return self._t.users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self._t.users.values() if u.email == email), None)

    async def by_clerk_id(self, clerk_user_id: str) -> User | None:
        return next((u for u in self._t.users.values() if u.clerk_user_id == clerk_user_id), None)

    async def locked(self, user_id: uuid.UUID) -> User | None:
        return self._t.users.get(user_id)

    async def listed(
        self, *, text_in: str | None, limit: int, after: UserCursor | None
    ) -> list[ListedUser]:
        text = (text_in or "").lower()
        found = [
            ListedUser(u, self._t.user_created_at[u.id])
            for u in self._t.users.values()
            if not u.deleted and (text in u.email.lower() or text in u.name.lower())
        ]
        if after is not None:
            found = [
                e
                for e in found
                if e.created_at < after.created_at
                or (e.created_at == after.created_at and e.user.id > after.last_id)
            ]
        found.sort(key=lambda e: e.user.id)
        found.sort(key=lambda e: e.created_at, reverse=True)  # stable: ties stay by id
        return found[:limit]

    async def add(self, user: User) -> None:
        if await self.by_email(user.email):
            raise EmailTaken(user.email)
        self._t.users[user.id] = replace(user, email_verified=False)
        self._t.user_created_at[user.id] = self._now

    async def save(self, user: User) -> None:
        kept = self._t.users[user.id]
        self._t.users[user.id] = replace(
            user,
            password_hash=kept.password_hash,
            email_verified=kept.email_verified and kept.email == user.email,
        )

    async def other_admins(self, user_id: uuid.UUID) -> int:
        others = [u for u in self._t.users.values() if u.id != user_id and not u.deleted]
        return sum(u.role is Role.ADMIN for u in others)

    async def mark_email_verified(self, user_id: uuid.UUID, now: datetime) -> None:
        self._t.users[user_id] = replace(self._t.users[user_id], email_verified=True)

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, now: datetime
    ) -> None:
        self._t.users[user_id] = replace(self._t.users[user_id], password_hash=password_hash)

    async def clear_password_and_verification(self, user_id: uuid.UUID) -> None:
        kept = self._t.users[user_id]
        self._t.users[user_id] = replace(kept, password_hash=None, email_verified=False)


class FakeRefreshTokens:
    def __init__(self, tables: IdentityTables) -> None:
        self._t = tables

    async def add_family(self, family: Family, now: datetime) -> None:
        self._t.families[family.id] = FamilyRow(family, idle_expires_at=now)

    async def add_token(self, token: StoredToken, now: datetime) -> None:
        self._t.tokens[token.digest] = token
        row = self._t.families[token.family_id]
        row.idle_expires_at = max(row.idle_expires_at, token.expires_at)

    async def locked(self, digest: str) -> tuple[Family | None, StoredToken | None]:
        token = self._t.tokens.get(digest)
        row = self._t.families.get(token.family_id) if token else None
        return (row.family, token) if row else (None, None)

    async def use(self, digest: str, now: datetime) -> None:
        self._t.tokens[digest] = replace(self._t.tokens[digest], used_at=now)

    async def revoke_family(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        self._revoke([self._t.families[family_id]], now, reason)

    async def revoke_families_of(self, user_id: uuid.UUID, now: datetime, reason: str) -> None:
        self._revoke(self._families_of(user_id), now, reason)

    def _revoke(self, rows: list[FamilyRow], now: datetime, reason: str) -> None:
        for row in rows:
            if row.family.revoked_at is None:
                row.family = replace(row.family, revoked_at=now)
                row.revoked_reason = reason

    async def delete_families_of(self, user_id: uuid.UUID) -> None:
        self._delete_families({row.family.id for row in self._families_of(user_id)})

    async def prune(self, now: datetime, batch: int) -> int:
        dead = [
            family_id
            for family_id, row in self._t.families.items()
            if row.family.revoked_at is not None
            or now >= min(row.family.expires_at, row.idle_expires_at)
        ][:batch]
        self._delete_families(set(dead))
        expired = [d for d, token in self._t.tokens.items() if token.expires_at <= now][:batch]
        for digest in expired:
            del self._t.tokens[digest]
        return len(dead) + len(expired)

    def _families_of(self, user_id: uuid.UUID) -> list[FamilyRow]:
        return [row for row in self._t.families.values() if row.family.user_id == user_id]

    def _delete_families(self, family_ids: set[uuid.UUID]) -> None:
        for family_id in family_ids:
            del self._t.families[family_id]
        self._t.tokens = {
            d: token for d, token in self._t.tokens.items() if token.family_id not in family_ids
        }


class FakeAccountLinks:
    def __init__(self, tables: IdentityTables) -> None:
        self._t = tables

    async def replace(self, link: StoredLink, now: datetime) -> None:
        for old in [row.link for row in self._t.links.values()]:
            mine = (old.user_id, old.purpose) == (link.user_id, link.purpose)
            if mine or old.expires_at < now:
                del self._t.links[old.digest]
        self._t.links[link.digest] = LinkRow(link, now)

    async def newest_at(self, user_id: uuid.UUID, purpose: LinkPurpose) -> datetime | None:
        made = [
            row.created_at
            for row in self._t.links.values()
            if (row.link.user_id, row.link.purpose) == (user_id, purpose)
        ]
        return max(made, default=None)

    async def locked(self, digest: str) -> StoredLink | None:
        row = self._t.links.get(digest)
        return row.link if row else None

    async def use(self, digest: str, now: datetime) -> None:
        row = self._t.links[digest]
        row.link = replace(row.link, used_at=now)

    async def delete_of(self, user_id: uuid.UUID) -> None:
        self._t.links = {d: row for d, row in self._t.links.items() if row.link.user_id != user_id}


class FakeSigningKeys:
    def __init__(self, tables: IdentityTables) -> None:
        self._t = tables

    async def lock(self) -> None:
        """Nothing to wait for: fake units run one at a time."""

    async def valid(self, *, retired_after: datetime) -> list[StoredSigningKey]:
        return [
            k for k in await self.every() if k.retired_at is None or k.retired_at > retired_after
        ]

    async def active(self) -> list[StoredSigningKey]:
        return [k for k in await self.every() if k.retired_at is None]

    async def every(self) -> list[StoredSigningKey]:
        """Newest first; of keys made at one time, the one stored last."""
        rows = sorted(self._t.signing_keys.values(), key=lambda row: row.created_at)
        return [row.key for row in reversed(rows)]

    async def add(
        self, *, kid: str, private_key_encrypted: str, public_jwk: dict[str, Any], now: datetime
    ) -> None:
        key = StoredSigningKey(kid, private_key_encrypted, None, public_jwk, None)
        self._t.signing_keys[kid] = KeyRow(key, now)

    async def retire_active(self, now: datetime) -> None:
        for row in self._t.signing_keys.values():
            if row.key.retired_at is None:
                row.key = replace(row.key, retired_at=now)

    async def seal(self, kid: str, private_key_encrypted: str) -> None:
        row = self._t.signing_keys[kid]
        row.key = replace(
            row.key, private_key_encrypted=private_key_encrypted, private_key_pem=None
        )


class FakeIdentityUnit:
    def __init__(self, uow: FakeUnitOfWork[IdentityTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.users: Users = FakeUsers(uow.state, uow.now)
        self.record_access_change: AccessChanges = self._record_access_change
        self.refresh_tokens: RefreshTokens = FakeRefreshTokens(uow.state)
        self.account_links: AccountLinks = FakeAccountLinks(uow.state)
        self.signing_keys: SigningKeys = FakeSigningKeys(uow.state)
        self.record_clerk_delivery: ClerkDeliveries = self._record_clerk_delivery

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)

    async def _record_access_change(self, change: AccessChange) -> None:
        self._uow.state.access_changes.append(change)

    async def _record_clerk_delivery(self, svix_id: str, event_type: str) -> bool:
        known = svix_id in self._uow.state.clerk_deliveries
        self._uow.state.clerk_deliveries.add(svix_id)
        return not known


class FakeIdentityUnits:
    """Identity's units of work over in-memory tables: `tables` is what committed, `outbox`
    what committed units published."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self.outbox = FakeUnitsOfWork(IdentityTables(), clock=clock)

    @property
    def tables(self) -> IdentityTables:
        return self.outbox.state

    def keep_signing_key(self, key: SigningKey, cipher: MultiFernet, made_at: datetime) -> None:
        """Store a key made beforehand, as the active one: making an RSA key takes ~50 ms."""
        sealed = cipher.encrypt(key.private_key_pem.encode()).decode()
        stored = StoredSigningKey(key.kid, sealed, None, key.public_jwk, None)
        self.tables.signing_keys[key.kid] = KeyRow(stored, made_at)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[IdentityUnit]:
        async with self.outbox.begin() as uow:
            yield FakeIdentityUnit(uow)
