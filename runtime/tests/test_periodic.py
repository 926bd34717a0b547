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


async def test_wake_starts_the_next_round_before_the_interval_ends() -> None:
    rounds: list[float] = []

    async def work() -> int:
        rounds.append(asyncio.get_running_loop().time())
        return 0

    task = Periodic("test-wake", work, interval_seconds=3600)
    task.start()
    try:

        async def first_round() -> bool:
            return len(rounds) == 1

        await eventually(first_round)
        task.wake()

        async def second_round() -> bool:
            return len(rounds) == 2

        await eventually(second_round, timeout=2)
    finally:
        await task.stop()
