"""The outbox and inbox tables every service keeps in its own database."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

NOTIFY_CHANNEL = "outbox"
"""What the relay listened on, before units of work handed it what they commit: the trigger
below, kept for the migrations that added it and that take it away."""

_NOTIFY_ON_INSERT = (
    "CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON outbox "
    "FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
)


INBOX_AGE_INDEX = "inbox_handled_at"


def outbox_table(metadata: MetaData) -> Table:
    """Messages recorded with a state change, waiting for the relay to publish them."""
    table = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("message_id", Uuid, nullable=False, unique=True),
        Column("message_type", Text, nullable=False),
        Column("routing_key", Text, nullable=False),
        Column("correlation_id", Text, nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("traceparent", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
    )
    Index(
        "outbox_unpublished",
        table.c.id,
        postgresql_where=table.c.published_at.is_(None),
    )
    return table


def create_outbox_notify(connection: Connection) -> None:
    """The outbox's NOTIFY trigger (migrations only). Idempotent."""
    for statement in _NOTIFY_ON_INSERT:
        connection.execute(text(statement))


def drop_outbox_notify(connection: Connection) -> None:
    connection.execute(text("DROP TRIGGER IF EXISTS outbox_notify ON outbox"))
    connection.execute(text("DROP FUNCTION IF EXISTS outbox_notify()"))


def inbox_table(metadata: MetaData) -> Table:
    """Ids of messages already handled, recorded in the same transaction as their effect."""
    table = Table(
        "inbox",
        metadata,
        Column("message_id", Uuid, primary_key=True),
        Column("consumer", Text, primary_key=True),
        Column("message_type", Text, nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    # What the retention deletes by (service_runtime.retention): without it, every prune read
    # the whole inbox, a week of every message consumed, to find what had aged out.
    Index(INBOX_AGE_INDEX, table.c.handled_at)
    return table
