"""Alembic glue every service's migrations use, so env.py stays three lines."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool

from service_runtime.messaging_tables import (
    INBOX_AGE_INDEX,
    create_outbox_notify,
    drop_outbox_notify,
    inbox_table,
    outbox_table,
)


def run_migrations(metadata: MetaData, database_url: str) -> None:
    """Body of a service's alembic env.py: online migrations over psycopg 3."""
    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    """Alembic's configuration for a service's migrations on one database (what `command.upgrade`
    and `command.downgrade` take)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(migrations_dir: Path, database_url: str) -> None:
    """Apply every migration of a service to its database."""
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


def _messaging_metadata() -> MetaData:
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    return metadata


def create_messaging_tables() -> None:
    """In a service's first migration: the outbox and inbox tables, from the one definition
    in `messaging_tables` rather than a copy of their DDL."""
    _messaging_metadata().create_all(op.get_bind())


def drop_messaging_tables() -> None:
    """The downgrade of `create_messaging_tables`."""
    _messaging_metadata().drop_all(op.get_bind())


def add_outbox_notify() -> None:
    """In the migration that gave the outbox its NOTIFY trigger, and in the downgrade of the
    one that took it away."""
    create_outbox_notify(op.get_bind())


def remove_outbox_notify() -> None:
    """In the migration that took the outbox's NOTIFY trigger away (units of work hand the
    relay what they commit), and in the downgrade of the one that added it."""
    drop_outbox_notify(op.get_bind())


def create_index_concurrently(name: str, table: str, columns: list[str]) -> None:
    """An index on a table that may be large and busy: built concurrently, outside the
    migration's transaction, so that writes go on meanwhile; none if it exists already."""
    with op.get_context().autocommit_block():
        op.create_index(name, table, columns, postgresql_concurrently=True, if_not_exists=True)


def drop_index_concurrently(name: str, table: str) -> None:
    """The downgrade of `create_index_concurrently`."""
    with op.get_context().autocommit_block():
        op.drop_index(name, table, postgresql_concurrently=True, if_exists=True)


def add_inbox_age_index() -> None:
    """In the migration that gave the inbox its index on `handled_at`; a database created since
    has it already (`create_messaging_tables`)."""
    create_index_concurrently(INBOX_AGE_INDEX, "inbox", ["handled_at"])


def remove_inbox_age_index() -> None:
    """The downgrade of `add_inbox_age_index`."""
    drop_index_concurrently(INBOX_AGE_INDEX, "inbox")
