"""In-memory repositories behind identity's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: one account per email, a saved user keeps
its password hash and loses its verified mark with its email, a revoked family keeps its first
reason, a new link replaces the older ones of its kind, dead families and expired tokens are
pruned. Locks are no-ops: fake units run one at a time. The credentials' repositories are in
`fake_credentials.py`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from cryptography.fernet import MultiFernet

from contracts import Envelope, Message
from contracts.identity import Role
from identity.domain.refresh_tokens import StoredToken
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

from .fake_credentials import (
    FakeAccountLinks,
    FakeRefreshTokens,
    FakeSigningKeys,
    FamilyRow,
    KeyRow,
    LinkRow,
)


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
