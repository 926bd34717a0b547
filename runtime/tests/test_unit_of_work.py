"""Work after commit: called once the transaction committed, never for one rolled back."""

from __future__ import annotations

import pytest

from service_runtime.db import Database
from service_runtime.unit_of_work import UnitsOfWork

from .conftest import outbox


async def test_after_commit_callbacks_run_after_a_commit_and_not_after_a_rollback(
    database: Database,
) -> None:
    units = UnitsOfWork(database, outbox)
    called: list[str] = []

    async with units.begin() as uow:
        uow.after_commit(lambda: called.append("committed"))
        assert called == []  # not while the transaction is open
    with pytest.raises(RuntimeError):  # noqa: PT012 - the transaction is the unit under test
        async with units.begin() as uow:
            uow.after_commit(lambda: called.append("rolled back"))
            raise RuntimeError("the state change failed")

    assert called == ["committed"]
