"""In-memory repositories of what signs people in: refresh-token families, accounts linked to
Clerk, and signing keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from identity.domain.account_links import LinkPurpose, StoredLink
from identity.domain.refresh_tokens import Family, StoredToken
from identity.repositories import (
    StoredSigningKey,
)

if TYPE_CHECKING:
    from .fakes import IdentityTables


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
