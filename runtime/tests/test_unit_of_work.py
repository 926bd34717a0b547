"""Work after commit: called once the transaction committed, never for one rolled back (and
work after rollback the other way round); many messages recorded at once, with the trace
context; a service's unit on top of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select

from contracts.identity import UserDeleted
from service_runtime.db import Database
from service_runtime.outbox import Recorded
from service_runtime.tracing import current_traceparent
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork, UnitsOfWork

from .conftest import outbox

FIXED = datetime(2030, 1, 1, 12, tzinfo=UTC)


async def test_after_commit_callbacks_run_after_a_commit_and_after_rollback_ones_without(
    database: Database,
) -> None:
    units = UnitsOfWork(database, outbox)
    called: list[str] = []

    async with units.begin() as uow:
        uow.after_commit(lambda: called.append("committed"))
        uow.after_rollback(lambda: called.append("not committed, yet said so"))
        assert called == []  # not while the transaction is open
    with pytest.raises(RuntimeError):  # noqa: PT012 - the transaction is the unit under test
        async with units.begin() as uow:
            uow.after_commit(lambda: called.append("rolled back, yet said committed"))
            uow.after_rollback(lambda: called.append("rolled back"))
            assert called == ["committed"]
            raise RuntimeError("the state change failed")

    assert called == ["committed", "rolled back"]


async def test_publish_all_records_every_message_with_the_current_trace_context(
    database: Database,
) -> None:
    units = UnitsOfWork(database, outbox)
    user_ids = [uuid.uuid4() for _ in range(3)]
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("bulk load"):
        traceparent = current_traceparent()
        async with units.begin() as uow:
            envelopes = await uow.publish_all(
                [(UserDeleted(user_id=user_id), str(user_id)) for user_id in user_ids]
            )

    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(outbox.c.message_id, outbox.c.correlation_id, outbox.c.traceparent)
            )
        ).all()
    assert traceparent is not None
    assert [envelope.traceparent for envelope in envelopes] == [traceparent] * 3
    assert {(row.message_id, row.correlation_id, row.traceparent) for row in rows} == {
        (envelope.message_id, str(user_id), traceparent)
        for envelope, user_id in zip(envelopes, user_ids, strict=True)
    }


async def test_each_recorded_row_id_is_the_row_of_its_message(database: Database) -> None:
    """The relay marks rows published by these ids: each must be its own message's row."""
    handed: list[Recorded] = []
    units = UnitsOfWork(database, outbox, relay=handed.extend)
    async with units.begin() as uow:
        await uow.publish_all([(UserDeleted(user_id=uuid.uuid4()), "bulk") for _ in range(5)])
        await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="one")

    async with database.transaction() as session:
        stored = dict(
            (await session.execute(select(outbox.c.id, outbox.c.message_id))).tuples().all()
        )
    assert len(handed) == 6
    assert {row.id: row.envelope.message_id for row in handed} == stored


async def test_a_transaction_hands_the_relay_what_it_recorded_once_it_commits(
    database: Database,
) -> None:
    handed: list[list[Recorded]] = []
    units = UnitsOfWork(database, outbox, relay=lambda recorded: handed.append(list(recorded)))
    async with units.begin() as uow:
        envelopes = [
            await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="c")
            for _ in range(3)
        ]
        before_commit = list(handed)
    with pytest.raises(RuntimeError):  # noqa: PT012 - the transaction is the unit under test
        async with units.begin() as uow:
            await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="c")
            raise RuntimeError("the state change failed")
    async with units.begin():
        pass  # recording nothing, it hands nothing over

    async with database.transaction() as session:
        rows = (await session.execute(select(outbox.c.id, outbox.c.message_id))).all()
    assert before_commit == []
    [transaction] = handed
    assert [(row.id, row.envelope.message_id) for row in transaction] == [
        (row.id, row.message_id) for row in sorted(rows)
    ]
    assert [row.envelope for row in transaction] == envelopes
    assert [row.body["message_id"] for row in transaction] == [
        str(envelope.message_id) for envelope in envelopes
    ]


class _Units(RepositoryUnits[RepositoryUnit]):
    """A service's units, without repositories of its own."""

    def unit(self, uow: UnitOfWork) -> RepositoryUnit:
        return RepositoryUnit(uow)


async def test_a_service_unit_publishes_in_its_transaction_with_its_cause_and_clock(
    database: Database,
) -> None:
    cause = uuid.uuid4()
    units = _Units(UnitsOfWork(database, outbox, clock=lambda: FIXED))
    user_id = uuid.uuid4()
    called: list[str] = []

    async with units.begin(causation_id=cause) as unit:
        await unit.publish(UserDeleted(user_id=user_id), correlation_id=str(user_id))
        unit.after_commit(lambda: called.append("committed"))
        seen_now = unit.now
    async with database.transaction() as session:
        row = (await session.execute(select(outbox.c.envelope, outbox.c.correlation_id))).one()

    assert (row.envelope["causation_id"], row.correlation_id) == (str(cause), str(user_id))
    assert (seen_now, units.clock(), called) == (FIXED, FIXED, ["committed"])


async def test_a_unit_of_one_statement_reads_outside_a_transaction_and_records_nothing(
    database: Database,
) -> None:
    units = _Units(UnitsOfWork(database, outbox, clock=lambda: FIXED))

    async with units.units.one_statement() as uow:
        assert await uow.session.scalar(select(1)) == 1
        connection = await uow.session.get_raw_connection()
        after_read = connection.driver_connection.info.transaction_status
    called: list[str] = []
    async with units.one_statement() as unit:
        seen_now = unit.now
        with pytest.raises(RuntimeError, match="no transaction"):
            await unit.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="x")
        unit.after_commit(lambda: called.append("committed"))
        assert called == []
    async with database.transaction() as session:
        recorded = await session.scalar(select(func.count()).select_from(outbox))

    assert after_read is TransactionStatus.IDLE  # no BEGIN was sent: nothing to COMMIT
    assert (seen_now, recorded, called) == (FIXED, 0, ["committed"])
