"""Every service's migrations build exactly the schema its SQLAlchemy models describe, and
undo themselves: a model changed without a migration, or a migration without its downgrade,
fails here rather than in a deployment."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, pool, text

from scripts.system import SERVICE_NAMES
from service_runtime.cli import migrations_dir_of
from service_runtime.migrations import alembic_config

pytestmark = pytest.mark.integration

# The outbox's NOTIFY trigger (messaging_tables): added once, then taken away when units of work
# began handing the relay what they commit.
OUTBOX_NOTIFY = {"trigger outbox_notify", "function outbox_notify"}


def _differences(database_url: str, metadata: MetaData) -> list[object]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), metadata))
    finally:
        engine.dispose()


def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _triggers_and_functions(database_url: str) -> set[str]:
    """The schema's own triggers and functions (not its extensions'), which the models'
    comparison does not see."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return set(
                connection.scalars(
                    text(
                        "SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal "
                        "UNION SELECT 'function ' || proname FROM pg_proc p "
                        "WHERE pronamespace = 'public'::regnamespace AND NOT EXISTS ("
                        "SELECT FROM pg_depend WHERE objid = p.oid AND deptype = 'e')"
                    )
                )
            )
    finally:
        engine.dispose()


def _before_handoff(migrations: Path, database_url: str) -> str:
    """The revision before the one that took the outbox's NOTIFY trigger away."""
    scripts = ScriptDirectory.from_config(alembic_config(migrations, database_url))
    [handoff] = [s for s in scripts.walk_revisions() if s.path.endswith("_outbox_handoff.py")]
    assert isinstance(handoff.down_revision, str)
    return handoff.down_revision


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_migrations_build_the_models_schema_and_undo_it(
    service: str, make_database: Callable[[str, Path | None], str]
) -> None:
    migrations = migrations_dir_of(service)
    url = make_database(f"migrations_{service}", migrations)
    importlib.import_module(f"{service}.app")  # every module that defines a table, as in service
    metadata: MetaData = importlib.import_module(f"{service}.db").metadata

    assert _differences(url, metadata) == []
    assert not _triggers_and_functions(url) & OUTBOX_NOTIFY
    command.downgrade(alembic_config(migrations, url), _before_handoff(migrations, url))
    assert _triggers_and_functions(url) >= OUTBOX_NOTIFY

    command.downgrade(alembic_config(migrations, url), "base")
    assert _tables(url) == {"alembic_version"}
    assert _triggers_and_functions(url) == set()
    command.upgrade(alembic_config(migrations, url), "head")
    assert _differences(url, metadata) == []
    assert not _triggers_and_functions(url) & OUTBOX_NOTIFY
