"""Trust follows changes at once: tokens of demoted or deleted users fail on the next request.

A token says who its holder was when it was issued. Every service keeps a small table of the
users whose tokens must be re-checked (fed from identity's RoleChanged and UserDeleted events,
or written by identity itself in the transaction of the change), and the auth dependency refuses
a token whose role is no longer the user's, that was issued before the change, or whose user is
deleted. Users who never changed are not in the table: their tokens cost one primary-key lookup,
and none while the process listens for changes (answers are cached until a change is notified).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    case,
    false,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Row
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope
from contracts.identity import Role, RoleChanged, UserDeleted
from service_runtime.auth import InvalidToken, Principal
from service_runtime.consumer import MessageHandlers
from service_runtime.db import Database
from service_runtime.listen import Listener
from service_runtime.unit_of_work import UnitOfWork

ACCESS_CHANNEL = "user_access"
"""NOTIFY channel of access changes (payload: the subject), so every replica forgets its copy."""


def user_access_table(metadata: MetaData) -> Table:
    """Users whose tokens must be re-checked, by the subject their tokens carry."""
    return Table(
        "user_access_changes",
        metadata,
        # Our user id as text (whoever issued the token, it names the user by our id).
        Column("subject", Text, primary_key=True),
        Column("user_id", Uuid, nullable=False),
        Column("role", Text),  # the current role; unknown (null) when only a deletion was seen
        Column("deleted", Boolean, nullable=False, server_default=false()),
        Column("changed_at", DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class AccessChange:
    """A user's role changed, or their account was deleted, at `changed_at`."""

    user_id: uuid.UUID
    changed_at: datetime
    role: Role | None = None
    deleted: bool = False


async def record_access_change(
    session: AsyncConnection, table: Table, change: AccessChange
) -> None:
    """Remember the change, in the caller's transaction, in whatever order changes arrive.

    The newest role wins, the latest change time is kept, and a deletion is never undone.
    """
    statement = insert(table).values(
        subject=str(change.user_id),
        user_id=change.user_id,
        role=change.role.value if change.role else None,
        deleted=change.deleted,
        changed_at=change.changed_at,
    )
    new = statement.excluded
    newer = new.changed_at >= table.c.changed_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.subject],
            set_={
                "role": case((and_(newer, new.role.is_not(None)), new.role), else_=table.c.role),
                "deleted": table.c.deleted | new.deleted,
                "changed_at": func.greatest(table.c.changed_at, new.changed_at),
            },
        )
    )
    await session.execute(select(func.pg_notify(ACCESS_CHANNEL, str(change.user_id))))


def follow_access_changes(handlers: MessageHandlers, table: Table) -> MessageHandlers:
    """Register the handlers that keep a service's table of changed users from identity's events."""

    @handlers.on(RoleChanged)
    async def role_changed(uow: UnitOfWork, event: RoleChanged, envelope: Envelope) -> None:
        change = AccessChange(
            user_id=event.user_id,
            changed_at=event.changed_at or envelope.occurred_at,
            role=event.new_role,
        )
        await record_access_change(uow.session, table, change)

    @handlers.on(UserDeleted)
    async def user_deleted(uow: UnitOfWork, event: UserDeleted, envelope: Envelope) -> None:
        change = AccessChange(
            user_id=event.user_id,
            changed_at=event.deleted_at or envelope.occurred_at,
            deleted=True,
        )
        await record_access_change(uow.session, table, change)

    return handlers


class UserAccess:
    """Refuses tokens that no longer speak for their user (the auth dependency's second check).

    With a listener (the process's listening connection), each user's row (or its absence) is
    kept in memory until a change of theirs is notified, so a request costs no transaction.
    Without one, or while it is not listening, every request reads the table.
    """

    def __init__(
        self,
        database: Database,
        table: Table,
        listener: Listener | None = None,
        *,
        cache_size: int = 10_000,
    ) -> None:
        self._database = database
        self._table = table
        self._listener = listener
        self._cache_size = cache_size
        self._cached: OrderedDict[str, Row[Any] | None] = OrderedDict()
        self._generation = 0  # counts notifications: a read overtaken by one is not cached
        if listener is not None:
            listener.also(ACCESS_CHANNEL, self._forget, on_reconnect=self._forget_all)

    async def refuse_stale(self, principal: Principal) -> None:
        """Raise InvalidToken when the user was deleted, or changed since the token was issued."""
        row = await self._access_of(str(principal.user_id))
        if row is None:
            return
        if row.deleted:
            raise InvalidToken("the account was deleted")
        # A token without a known role carries no power to keep; any other must be current.
        if principal.role is not None and row.role is not None and principal.role != row.role:
            raise InvalidToken("the account's role changed; sign in again")
        issued_at = principal.claims.get("iat")
        # iat has whole seconds: a token issued in the second of the change still passes the
        # role check above, so only the older ones are refused here.
        if not isinstance(issued_at, int | float) or issued_at < int(row.changed_at.timestamp()):
            raise InvalidToken("the token was issued before the account changed; sign in again")

    async def _access_of(self, subject: str) -> Row[Any] | None:
        if self._listening() and subject in self._cached:
            self._cached.move_to_end(subject)
            return self._cached[subject]
        generation = self._generation
        async with self._database.transaction() as session:
            row = (
                await session.execute(select(self._table).where(self._table.c.subject == subject))
            ).first()
        if self._listening() and generation == self._generation:
            self._cached[subject] = row
            if len(self._cached) > self._cache_size:
                self._cached.popitem(last=False)
        return row

    def _listening(self) -> bool:
        return self._listener is not None and self._listener.listening

    def _forget(self, subject: str) -> None:
        self._generation += 1
        self._cached.pop(subject, None)

    def _forget_all(self) -> None:
        self._generation += 1
        self._cached.clear()


def create_user_access_table(connection: Connection) -> None:
    """The migration step that gives a service its table (in Alembic: `op.get_bind()`)."""
    user_access_table(MetaData()).create(connection)
