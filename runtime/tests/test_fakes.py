"""The in-memory units of work keep a unit's changes and messages only when it succeeds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from contracts.identity import Role, RoleChanged
from service_runtime.fakes import FakeUnitsOfWork

T = datetime(2030, 1, 1, tzinfo=UTC)


def role_changed() -> RoleChanged:
    return RoleChanged(
        user_id=uuid.uuid4(), old_role=Role.BOOKER, new_role=Role.OWNER, changed_at=T
    )


async def test_a_unit_that_succeeds_keeps_its_changes_and_publishes_its_messages() -> None:
    units = FakeUnitsOfWork({"count": 0}, clock=lambda: T)
    woken = []

    async with units.begin() as uow:
        uow.state["count"] += 1
        envelope = await uow.publish(role_changed(), correlation_id="c-1")
        uow.after_commit(lambda: woken.append(True))
        assert units.state == {"count": 0}  # others do not see it before it commits

    assert units.state == {"count": 1}
    assert [e.message_id for _, e in units.published] == [envelope.message_id]
    assert envelope.correlation_id == "c-1"
    assert woken == [True]
    assert uow.now == T


async def test_a_unit_that_fails_leaves_nothing_behind() -> None:
    units = FakeUnitsOfWork({"count": 0})
    woken = []

    async def failing_use_case() -> None:
        async with units.begin() as uow:
            uow.state["count"] += 1
            await uow.publish(role_changed(), correlation_id="c-1")
            uow.after_commit(lambda: woken.append(True))
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()

    assert units.state == {"count": 0}
    assert units.published == []
    assert woken == []


async def test_messages_carry_the_units_cause() -> None:
    units = FakeUnitsOfWork(None)
    cause = uuid.uuid4()

    async with units.begin(causation_id=cause) as uow:
        await uow.publish(role_changed(), correlation_id="c")

    assert [e.causation_id for _, e in units.published] == [cause]
    assert units.messages(RoleChanged) == [m for m, _ in units.published]


async def test_a_unit_begun_inside_another_is_refused() -> None:
    units = FakeUnitsOfWork({"count": 0})

    async def nested() -> None:
        async with units.begin(), units.begin():
            pass

    with pytest.raises(RuntimeError, match="inside another"):
        await nested()
    async with units.begin() as uow:  # and the units still work afterwards
        uow.state["count"] += 1
    assert units.state == {"count": 1}
