"""Identity's tables and the queries over them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.identity import Role
from identity.domain.account_links import LinkPurpose, StoredLink
from identity.domain.refresh_tokens import Family, StoredToken
from identity.domain.user_directory import ListedUser, UserCursor
from identity.domain.users import User
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("password_hash", Text),
    Column("clerk_user_id", Text, unique=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
    # Clerk's time of the last event applied: an older event arriving late changes nothing.
    Column("clerk_event_at", DateTime(timezone=True)),
    Column("email_verified_at", DateTime(timezone=True)),  # cleared when the email changes
    Index("users_newest_first", text("created_at DESC"), "id"),  # the admins' list
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_key_encrypted", Text),  # Fernet token of the PKCS#8 PEM
    # Plaintext, written only by identities of before encryption at rest while this one rolls
    # out; sealed (encrypted, emptied) on first use or by `reencrypt-keys`. Dropped later.
    Column("private_key_pem", Text),
    CheckConstraint(
        "private_key_encrypted IS NOT NULL OR private_key_pem IS NOT NULL",
        name="signing_keys_private_key_kept",
    ),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)

clerk_webhook_deliveries = Table(
    "clerk_webhook_deliveries",
    metadata,
    Column("svix_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

refresh_token_families = Table(
    "refresh_token_families",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # When its newest token expires: a family idle past it can only be pruned.
    Column("idle_expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
    Index("refresh_token_families_user", "user_id"),
    Index("refresh_token_families_expiry", "expires_at"),
    Index("refresh_token_families_idle_expiry", "idle_expires_at"),
    Index(
        "refresh_token_families_revoked",
        "revoked_at",
        postgresql_where=text("revoked_at IS NOT NULL"),
    ),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 hex of the token; never the token
    Column(
        "family_id",
        Uuid,
        ForeignKey("refresh_token_families.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("refresh_tokens_family", "family_id"),
    Index("refresh_tokens_expiry", "expires_at"),
)

account_links = Table(
    "account_links",
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 hex of the link's token; never the token
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("account_links_user", "user_id", "purpose"),
    Index("account_links_expiry", "expires_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        clerk_user_id=row.clerk_user_id,
        deleted=row.deleted_at is not None,
        clerk_event_at=row.clerk_event_at,
        email_verified=row.email_verified_at is not None,
    )


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    row = (await session.execute(select(users).where(users.c.id == user_id))).first()
    return _user(row) if row else None


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    row = (await session.execute(select(users).where(users.c.email == email))).first()
    return _user(row) if row else None


async def users_listed(
    session: AsyncSession, *, text_in: str | None, limit: int, after: UserCursor | None
) -> list[ListedUser]:
    """Live users, newest first, whose email or name contains the text (any case)."""
    query = select(users).where(users.c.deleted_at.is_(None))
    if text_in:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text_in) + "%"
        query = query.where(or_(users.c.email.ilike(pattern), users.c.name.ilike(pattern)))
    if after is not None:
        query = query.where(
            or_(
                users.c.created_at < after.created_at,
                and_(users.c.created_at == after.created_at, users.c.id > after.last_id),
            )
        )
    query = query.order_by(users.c.created_at.desc(), users.c.id).limit(limit)
    rows = (await session.execute(query)).all()
    return [ListedUser(_user(row), row.created_at) for row in rows]


async def user_by_clerk_id(session: AsyncSession, clerk_user_id: str) -> User | None:
    row = (
        await session.execute(select(users).where(users.c.clerk_user_id == clerk_user_id))
    ).first()
    return _user(row) if row else None


async def user_matching(session: AsyncSession, clerk_user_id: str, email: str) -> User | None:
    """The user Clerk means: by Clerk id, or an existing local account with the same email."""
    row = (
        await session.execute(
            select(users)
            .where(or_(users.c.clerk_user_id == clerk_user_id, users.c.email == email))
            .order_by(users.c.clerk_user_id.is_(None))
            .limit(1)
        )
    ).first()
    return _user(row) if row else None


async def add_user(session: AsyncSession, user: User) -> None:
    await session.execute(
        insert(users).values(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role.value,
            password_hash=user.password_hash,
            clerk_user_id=user.clerk_user_id,
            deleted_at=func.now() if user.deleted else None,
            clerk_event_at=user.clerk_event_at,
        )
    )


async def save_user(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(
            email=user.email,
            name=user.name,
            role=user.role.value,
            clerk_user_id=user.clerk_user_id,
            deleted_at=func.coalesce(users.c.deleted_at, func.now()) if user.deleted else None,
            clerk_event_at=user.clerk_event_at,
            # A new address is not verified by the old one's link.
            email_verified_at=case(
                (users.c.email == user.email, users.c.email_verified_at), else_=None
            ),
            updated_at=func.now(),
            version=users.c.version + 1,
        )
    )


async def other_admins(session: AsyncSession, user_id: uuid.UUID) -> int:
    """How many admins there are besides this user, counted under a lock held to commit.

    Two admins demoting each other at once then count one after the other: one of them stays.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.admins'))"))
    count = await session.scalar(
        select(func.count())
        .select_from(users)
        .where(
            users.c.role == Role.ADMIN.value,
            users.c.deleted_at.is_(None),
            users.c.id != user_id,
        )
    )
    return int(count or 0)


async def record_clerk_delivery(session: AsyncSession, svix_id: str, event_type: str) -> bool:
    """False when this svix message id was processed before."""
    result = await session.execute(
        pg_insert(clerk_webhook_deliveries)
        .values(svix_id=svix_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(clerk_webhook_deliveries.c.svix_id)
    )
    return result.first() is not None


async def signing_key_rows(session: AsyncSession, *, retired_after: datetime) -> list[Any]:
    """Keys that still sign or verify: active ones and those retired after the given time."""
    return list(
        (
            await session.execute(
                select(signing_keys)
                .where(
                    or_(
                        signing_keys.c.retired_at.is_(None),
                        signing_keys.c.retired_at > retired_after,
                    )
                )
                .order_by(signing_keys.c.created_at.desc())
            )
        ).all()
    )


def _family(row: Any) -> Family:
    return Family(
        id=row.id, user_id=row.user_id, expires_at=row.expires_at, revoked_at=row.revoked_at
    )


def _stored_token(row: Any) -> StoredToken:
    return StoredToken(
        digest=row.digest,
        family_id=row.family_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


async def add_refresh_family(session: AsyncSession, family: Family, now: datetime) -> None:
    await session.execute(
        insert(refresh_token_families).values(
            id=family.id,
            user_id=family.user_id,
            created_at=now,
            expires_at=family.expires_at,
            idle_expires_at=now,
        )
    )


async def add_refresh_token(session: AsyncSession, token: StoredToken, now: datetime) -> None:
    """Store the digest of a family's next token; the family stays alive as long as it."""
    await session.execute(
        insert(refresh_tokens).values(
            digest=token.digest,
            family_id=token.family_id,
            issued_at=now,
            expires_at=token.expires_at,
        )
    )
    await session.execute(
        update(refresh_token_families)
        .where(refresh_token_families.c.id == token.family_id)
        .values(
            idle_expires_at=func.greatest(
                refresh_token_families.c.idle_expires_at, token.expires_at
            )
        )
    )


async def locked_refresh_token(
    session: AsyncSession, digest: str
) -> tuple[Family | None, StoredToken | None]:
    """The token with this digest and its family, the family locked until commit.

    Every change to a family's tokens takes this lock first, so two refreshes with one token
    run one after the other: the second reads the token the first used up.
    """
    family_id = await session.scalar(
        select(refresh_tokens.c.family_id).where(refresh_tokens.c.digest == digest)
    )
    if family_id is None:
        return None, None
    family_row = (
        await session.execute(
            select(refresh_token_families)
            .where(refresh_token_families.c.id == family_id)
            .with_for_update()
        )
    ).first()
    # Read again under the lock: the statement sees what committed while it waited.
    token_row = (
        await session.execute(select(refresh_tokens).where(refresh_tokens.c.digest == digest))
    ).first()
    if family_row is None or token_row is None:  # pruned meanwhile
        return None, None
    return _family(family_row), _stored_token(token_row)


async def use_refresh_token(session: AsyncSession, digest: str, now: datetime) -> None:
    await session.execute(
        update(refresh_tokens).where(refresh_tokens.c.digest == digest).values(used_at=now)
    )


async def revoke_refresh_family(
    session: AsyncSession, family_id: uuid.UUID, now: datetime, reason: str
) -> None:
    await session.execute(
        update(refresh_token_families)
        .where(
            refresh_token_families.c.id == family_id,
            refresh_token_families.c.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_reason=reason)
    )


async def revoke_refresh_families_of(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, reason: str
) -> None:
    """End every sign-in of the user (a password reset: whoever knew the old one is out)."""
    await session.execute(
        update(refresh_token_families)
        .where(
            refresh_token_families.c.user_id == user_id,
            refresh_token_families.c.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_reason=reason)
    )


async def prune_refresh_tokens(session: AsyncSession, now: datetime, batch: int) -> int:
    """Delete up to `batch` dead families (with their tokens) and `batch` expired tokens; how
    many rows went. Rows another transaction holds are skipped, never waited for."""
    families = refresh_token_families.c
    dead = (
        select(families.id)
        .where(
            or_(
                families.expires_at <= now,
                families.idle_expires_at <= now,
                families.revoked_at.is_not(None),
            )
        )
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    gone = await session.execute(delete(refresh_token_families).where(families.id.in_(dead)))
    expired = (
        select(refresh_tokens.c.digest)
        .where(refresh_tokens.c.expires_at <= now)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    spent = await session.execute(
        delete(refresh_tokens).where(refresh_tokens.c.digest.in_(expired))
    )
    return int(gone.rowcount or 0) + int(spent.rowcount or 0)  # type: ignore[attr-defined]


async def replace_account_link(session: AsyncSession, link: StoredLink, now: datetime) -> None:
    """Store a new link, dropping the person's older ones of its kind and any long expired."""
    await session.execute(
        delete(account_links).where(
            or_(
                and_(
                    account_links.c.user_id == link.user_id,
                    account_links.c.purpose == link.purpose.value,
                ),
                account_links.c.expires_at < now,
            )
        )
    )
    await session.execute(
        insert(account_links).values(
            digest=link.digest,
            user_id=link.user_id,
            purpose=link.purpose.value,
            created_at=now,
            expires_at=link.expires_at,
        )
    )


async def newest_account_link_at(
    session: AsyncSession, user_id: uuid.UUID, purpose: LinkPurpose
) -> datetime | None:
    """When the person's last link of this kind was made, locked with the user's row so two
    requests at once do not both send one."""
    await session.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
    newest: datetime | None = await session.scalar(
        select(func.max(account_links.c.created_at)).where(
            account_links.c.user_id == user_id, account_links.c.purpose == purpose.value
        )
    )
    return newest


async def locked_account_link(session: AsyncSession, digest: str) -> StoredLink | None:
    """The link with this digest, locked until commit so it is used once however often sent."""
    row = (
        await session.execute(
            select(account_links).where(account_links.c.digest == digest).with_for_update()
        )
    ).first()
    if row is None:
        return None
    return StoredLink(
        row.digest, row.user_id, LinkPurpose(row.purpose), row.expires_at, row.used_at
    )


async def use_account_link(session: AsyncSession, digest: str, now: datetime) -> None:
    await session.execute(
        update(account_links).where(account_links.c.digest == digest).values(used_at=now)
    )


async def mark_email_verified(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(users)
        .where(users.c.id == user_id, users.c.email_verified_at.is_(None))
        .values(email_verified_at=now, updated_at=now)
    )


async def set_password_hash(
    session: AsyncSession, user_id: uuid.UUID, password_hash: str, now: datetime
) -> None:
    await session.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=password_hash, updated_at=now, version=users.c.version + 1)
    )
