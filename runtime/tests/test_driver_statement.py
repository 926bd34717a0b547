"""A statement run on the driver reads and writes as SQLAlchemy would, in the caller's
transaction, and fails as SQLAlchemy's own do."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, OperationalError

from service_runtime.db import Database, DriverStatement, written
from service_runtime.telemetry import trace_statements

from .test_db_pool import _backend_pid, _cut

scratch = MetaData()
documents = Table(
    "driver_documents",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("body", JSON, nullable=False),
    Column("tags", ARRAY(Integer), nullable=False),
)
_ADD = DriverStatement(
    insert(documents)
    .values(id=bindparam("id"), body=bindparam("body"), tags=bindparam("tags"))
    .returning(documents.c.id, func.upper("added").label("word"))  # a literal, bound for us
)
_BY_ID = DriverStatement(select(documents).where(documents.c.id == bindparam("id")))
# A literal SQLAlchemy converts too (the JSON path, to an array).
_HOURS = DriverStatement(
    select(documents.c.body[("hours",)].label("hours")).where(documents.c.id == bindparam("id"))
)
jobs = Table(
    "driver_jobs",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("status", Text, nullable=False),
)
Index("driver_jobs_pending", jobs.c.id, postgresql_where=jobs.c.status == "pending")


@pytest.fixture
async def table(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(scratch.create_all)


@pytest.mark.usefixtures("table")
async def test_rows_are_read_and_written_through_the_parameters_types_in_the_transaction(
    database: Database,
) -> None:
    async with database.transaction() as session:
        added = await _ADD.rows(session, {"id": 1, "body": {"hours": [1, 2]}, "tags": [3, 4]})
    async with database.transaction() as session:
        await _ADD.rows(session, {"id": 2, "body": {}, "tags": []})
        await session.rollback()  # the caller's transaction: rolled back with it

    async with database.transaction() as session:
        assert [row._asdict() for row in added] == [{"id": 1, "word": "ADDED"}]
        read = await _BY_ID.first(session, {"id": 1})
        assert (read.id, read.body, read.tags) == (1, {"hours": [1, 2]}, [3, 4])
        assert (await _HOURS.first(session, {"id": 1})).hours == [1, 2]
        assert await _BY_ID.first(session, {"id": 2}) is None
        # What SQLAlchemy reads back for the same row.
        through_sqlalchemy = (await session.execute(select(documents))).one()
        assert through_sqlalchemy._asdict() == read._asdict()


@pytest.mark.usefixtures("table")
async def test_many_rows_are_written_by_one_statement_run_for_each(database: Database) -> None:
    async with database.transaction() as session:
        await _ADD.many(session, [{"id": n, "body": {"n": n}, "tags": [n]} for n in (1, 2, 3)])

    async with database.transaction() as session:
        read = [await _BY_ID.first(session, {"id": n}) for n in (1, 2, 3)]
    assert [(row.body, row.tags) for row in read] == [({"n": n}, [n]) for n in (1, 2, 3)]


@pytest.mark.usefixtures("table")
async def test_a_failure_is_raised_as_sqlalchemy_s_and_a_cut_connection_is_replaced(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await _ADD.rows(session, {"id": 1, "body": {}, "tags": []})
    with pytest.raises(IntegrityError, match="driver_documents_pkey"):
        async with database.transaction() as session:
            await _ADD.rows(session, {"id": 1, "body": {}, "tags": []})

    cut_pid = await _backend_pid(database)
    await _cut(database, cut_pid)
    with pytest.raises(OperationalError):  # a 503 at the API, as with SQLAlchemy's statements
        async with database.transaction() as session:
            await _BY_ID.first(session, {"id": 1})
    assert await _backend_pid(database) != cut_pid  # the pool replaced it


@pytest.mark.usefixtures("table")
async def test_a_statement_is_a_span_of_the_trace_when_the_engine_s_statements_are_traced(
    database: Database,
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with database.transaction() as session:
        await _BY_ID.first(session, {"id": 1})  # not traced yet
    trace_statements(database.engine, provider)

    with provider.get_tracer("test").start_as_current_span("step") as step:
        async with database.transaction() as session:
            await _BY_ID.first(session, {"id": 1})

    spans = [span for span in exporter.get_finished_spans() if span.name.startswith("SELECT")]
    database_name = database.engine.url.database
    assert [span.name for span in spans] == [f"SELECT {database_name}"]
    assert spans[0].attributes is not None
    assert spans[0].attributes["db.statement"] == _BY_ID.sql
    assert spans[0].parent is not None
    assert spans[0].parent.span_id == step.get_span_context().span_id


def test_a_statement_whose_parameter_sqlalchemy_expands_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="ids"):
        DriverStatement(
            select(documents).where(documents.c.id.in_(bindparam("ids", expanding=True)))
        )


async def test_a_statement_without_rows_gives_none(database: Database) -> None:
    async with database.transaction() as session:
        assert await DriverStatement(text("SET LOCAL work_mem = '8MB'")).first(session, {}) is None


@pytest.mark.usefixtures("table")
async def test_a_written_value_lets_even_a_generic_plan_use_the_partial_index_naming_it(
    database: Database,
) -> None:
    bound = DriverStatement(select(jobs.c.id).where(jobs.c.status == "pending").limit(1))
    written_in = DriverStatement(
        select(jobs.c.id).where(jobs.c.status == written("pending")).limit(1)
    )
    async with database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO driver_jobs SELECT n, CASE WHEN n = 4000 THEN 'pending' ELSE 'done'"
                " END FROM generate_series(1, 4000) AS n"
            )
        )
        await session.execute(text("ANALYZE driver_jobs"))
    # This backend's counts not yet reported: they include earlier transactions', so the
    # difference is the statement's.
    scans = text(
        "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"
        " WHERE relname = 'driver_jobs'"
    )

    async def scans_of(statement: DriverStatement) -> tuple[int, int]:
        async with database.transaction() as session:
            await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
            sequential, indexed = (await session.execute(scans)).one()
            assert (await statement.first(session, {})).id == 4000
            sequential_after, indexed_after = (await session.execute(scans)).one()
            return sequential_after - sequential, indexed_after - indexed

    assert await scans_of(written_in) == (0, 1)
    assert await scans_of(bound) == (1, 0)  # the whole table read, the index unusable
