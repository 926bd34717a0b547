"""A service's copy of identity's user names, kept from UserCreated, UserUpdated and UserDeleted.

Services that show who did something (a review's author, a booker in an owner's calendar) keep
the name themselves instead of asking identity at read time. `named_at` keeps a late event from
undoing a newer name; a deletion replaces the name with "deleted user" as of the deletion, so
the person's past actions stay without their name and no late event brings it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope
from contracts.identity import UserCreated, UserDeleted, UserUpdated
from service_runtime.consumer import MessageHandlers
from service_runtime.unit_of_work import UnitOfWork


def user_names_table(metadata: MetaData, name: str) -> Table:
    """The table of users' names, under the name the service gives it."""
    return Table(
        name,
        metadata,
        Column("user_id", Uuid, primary_key=True),
        Column("name", Text, nullable=False),
        Column("named_at", DateTime(timezone=True), nullable=False),
    )


def create_user_names_table(connection: Connection, name: str) -> None:
    """The migration step that gives a service its table (in Alembic: `op.get_bind()`)."""
    user_names_table(MetaData(), name).create(connection)


async def record_user_name(
    session: AsyncConnection, table: Table, user_id: uuid.UUID, name: str, named_at: datetime
) -> None:
    """Keep the newest name identity announced for a user; an older event changes nothing."""
    statement = insert(table).values(user_id=user_id, name=name, named_at=named_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id],
            set_={"name": statement.excluded.name, "named_at": statement.excluded.named_at},
            where=table.c.named_at < statement.excluded.named_at,
        )
    )


DELETED_USER_NAME = "deleted user"


async def forget_user_name(
    session: AsyncConnection, table: Table, user_id: uuid.UUID, deleted_at: datetime
) -> None:
    """The name becomes `DELETED_USER_NAME` as of the deletion: a UserCreated or UserUpdated
    arriving late (older than the deletion) changes nothing."""
    await record_user_name(session, table, user_id, DELETED_USER_NAME, deleted_at)


async def names_of(
    session: AsyncConnection, table: Table, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The names known for these users; users without one are left out."""
    rows = await session.execute(
        select(table.c.user_id, table.c.name).where(table.c.user_id.in_(set(user_ids)))
    )
    return {row.user_id: row.name for row in rows}


def follow_user_names(
    handlers: MessageHandlers, table: Table, kept: Callable[[str], str]
) -> MessageHandlers:
    """Register the handlers that keep `table` from identity's events; `kept` trims the name
    to what the service needs. A UserDeleted handler registered before still runs first."""

    @handlers.on(UserCreated)
    @handlers.on(UserUpdated)
    async def user_named(
        uow: UnitOfWork, event: UserCreated | UserUpdated, envelope: Envelope
    ) -> None:
        await record_user_name(
            uow.session, table, event.user_id, kept(event.name), envelope.occurred_at
        )

    before = handlers.by_type.get(UserDeleted.message_type)

    @handlers.on(UserDeleted)
    async def user_deleted(uow: UnitOfWork, event: UserDeleted, envelope: Envelope) -> None:
        if before is not None:
            await before[1](uow, event, envelope)
        deleted_at = event.deleted_at or envelope.occurred_at
        await forget_user_name(uow.session, table, event.user_id, deleted_at)

    return handlers
