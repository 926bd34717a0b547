"""A periodic task keeps going after a failed round, waits longer while rounds fail, is measured
and stops when told."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from prometheus_client import CollectorRegistry

from service_runtime.background import Backoff
from service_runtime.periodic import Periodic, until_drained
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


@pytest.mark.parametrize("fails", [False, True], ids=["after-a-round", "after-a-failure"])
async def test_wake_starts_the_next_round_before_the_wait_ends(fails: bool) -> None:
    rounds: list[float] = []

    async def work() -> int:
        rounds.append(asyncio.get_running_loop().time())
        if fails:
            raise RuntimeError("a failure waits at least the interval")
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


async def test_a_lingering_loop_makes_one_round_of_a_burst_of_wakes() -> None:
    rounds: list[float] = []

    async def work() -> int:
        rounds.append(asyncio.get_running_loop().time())
        return 0

    task = Periodic("test-linger", work, interval_seconds=3600, linger_seconds=0.3)
    task.start()
    try:

        async def first_round() -> bool:
            return len(rounds) == 1

        await eventually(first_round)
        for _ in range(5):  # within the linger: all ride on the first wake
            task.wake()
            await asyncio.sleep(0.02)

        async def second_round() -> bool:
            return len(rounds) == 2

        await eventually(second_round, timeout=2)
        await asyncio.sleep(0.5)
    finally:
        await task.stop()
    assert len(rounds) == 2


def test_backoff_doubles_after_each_failure_up_to_its_cap_and_a_success_resets_it() -> None:
    backoff = Backoff(1, 5)
    assert [backoff.after_failure() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.after_failure() == 1
    assert Backoff(60, 10).after_failure() == 60  # never quicker than the interval


async def test_failing_rounds_wait_longer_each_time_until_one_succeeds() -> None:
    started: list[float] = []
    failures = 4

    async def work() -> int:
        started.append(asyncio.get_running_loop().time())
        if len(started) <= failures:
            raise RuntimeError("the database is away")
        return 0

    task = Periodic("test-backoff", work, interval_seconds=0.1, max_backoff_seconds=0.5)
    task.start()
    try:

        async def rounds_after_the_success() -> bool:
            return len(started) >= failures + 2

        await eventually(rounds_after_the_success)
    finally:
        await task.stop()
    waits = [later - earlier for earlier, later in itertools.pairwise(started)]
    # Lower bounds only where a loaded machine can only make waits longer.
    assert waits[0] >= 0.09
    assert waits[1] >= 0.19
    assert waits[2] >= 0.39
    assert waits[3] >= 0.49  # capped: 0.8 without the cap
    assert waits[3] < 0.79
    assert waits[4] < 0.4  # a success: the interval again


async def test_stop_cancels_a_round_in_progress_and_waits_for_it_to_end() -> None:
    entered = asyncio.Event()
    cancelled = asyncio.Event()

    async def work() -> int:
        entered.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 0

    task = Periodic("test-stop", work, interval_seconds=1)
    task.start()
    await asyncio.wait_for(entered.wait(), 2)
    await task.stop()
    assert cancelled.is_set()
    await task.stop()  # a second stop does nothing


async def test_a_loop_woken_just_as_it_is_stopped_still_stops() -> None:
    """The wake has ended the loop's wait, but the loop has not resumed: the stop must still
    end it (with asyncio.wait_for on Python 3.11 the loop ran on and stop() never returned)."""
    rounds: list[int] = []

    async def work() -> int:
        rounds.append(len(rounds))
        return 0

    task = Periodic("test-woken-stop", work, interval_seconds=30)
    task.start()
    await asyncio.sleep(0.01)  # the first round is done; the loop waits for a wake
    task.wake()
    await asyncio.sleep(0)  # the wake ends the wait, yet the loop has not resumed

    async with asyncio.timeout(2):
        await task.stop()
    stopped_at = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == stopped_at


async def test_what_rounds_left_running_is_stopped_once_after_the_loop() -> None:
    left_running: list[asyncio.Task[None]] = []
    stops = 0

    async def work() -> int:
        left_running.append(asyncio.create_task(asyncio.sleep(3600)))
        return 1

    async def stop_what_was_left() -> None:
        nonlocal stops
        stops += 1
        for task in left_running:
            task.cancel()

    task = Periodic("test-on-stop", work, interval_seconds=3600, on_stop=stop_what_was_left)
    task.start()
    await eventually(lambda: _true(left_running))
    await task.stop()
    await task.stop()

    assert stops == 1  # the second stop does nothing
    await asyncio.wait(left_running)
    assert all(task.cancelled() for task in left_running)


async def _true(items: list[asyncio.Task[None]]) -> bool:
    return bool(items)


async def test_rounds_are_counted_and_timed_by_loop_name_and_outcome() -> None:
    registry = CollectorRegistry()
    outcomes = iter([RuntimeError("fails"), 2, 3])

    async def work() -> int:
        outcome = next(outcomes, None)
        if outcome is None:
            await asyncio.sleep(3600)  # three rounds only
            return 0
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    one = Periodic("test-one", work, interval_seconds=0.01, registry=registry, quiet=True)
    other = Periodic("test-other", _nothing_to_do, interval_seconds=3600, registry=registry)
    one.start()
    other.start()

    def sample(name: str, **labels: str) -> float:
        return registry.get_sample_value(name, labels) or 0

    async def three_rounds() -> bool:
        return sample("background_loop_rounds_total", loop="test-one", outcome="ok") == 2

    try:
        await eventually(three_rounds)
    finally:
        await one.stop()
        await other.stop()
    assert sample("background_loop_rounds_total", loop="test-one", outcome="failed") == 1
    assert sample("background_loop_done_total", loop="test-one") == 5
    assert sample("background_loop_round_duration_seconds_count", loop="test-one") == 3
    assert sample("background_loop_rounds_total", loop="test-other", outcome="ok") == 1


async def _nothing_to_do() -> int:
    return 0


async def test_a_drained_round_takes_batches_until_one_comes_back_short() -> None:
    waiting = [3, 3, 2, 3]
    taken: list[int] = []

    async def take_batch() -> int:
        taken.append(waiting.pop(0))
        return taken[-1]

    assert await until_drained(take_batch, 3)() == 8
    assert waiting == [3]  # left for the next round
