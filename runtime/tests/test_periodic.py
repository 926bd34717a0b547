"""A periodic task keeps going after a failed round and stops when told."""

from __future__ import annotations

import asyncio

from service_runtime.periodic import Periodic
from tests.fixtures.infra import eventually


async def test_a_failed_round_is_followed_by_the_next_and_stop_ends_them() -> None:
    rounds: list[int] = []

    async def work() -> int:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the first round fails")
        return 1

    task = Periodic("test-rounds", work, interval_seconds=0.01)
    task.start()

    async def went_on() -> bool:
        return len(rounds) >= 3

    await eventually(went_on)
    await task.stop()
    stopped_at = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == stopped_at
