"""Waiting for an event with a deadline: set in time, not set in time, and a cancellation that
comes just as the event does, which must still cancel."""

from __future__ import annotations

import asyncio

import pytest

from service_runtime.waiting import event_within


async def test_an_event_set_in_time_is_seen_and_one_never_set_is_not() -> None:
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, event.set)

    assert await event_within(event, 5)
    assert not await event_within(asyncio.Event(), 0.01)


@pytest.mark.parametrize("ticks", [0, 1], ids=["with-the-event", "a-tick-after-it"])
async def test_a_cancellation_the_waiter_accepts_ends_it_cancelled(ticks: int) -> None:
    """With asyncio.wait_for on Python 3.11, a cancel accepted a tick after the event (the
    event's wait done, the waiter not resumed yet) was lost: the waiter returned True."""
    event = asyncio.Event()
    waiting = asyncio.create_task(event_within(event, 30))
    await asyncio.sleep(0)  # the waiter waits
    event.set()
    for _ in range(ticks):
        await asyncio.sleep(0)

    if waiting.cancel():
        with pytest.raises(asyncio.CancelledError):
            await waiting
    else:  # it had already seen the event and returned
        assert await waiting
