"""Waiting for an event with a deadline, in a way a cancellation always ends."""

from __future__ import annotations

import asyncio


async def event_within(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` is set within `seconds` (waiting for it at most that long).

    Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that comes just as the
    event does (python/cpython#86296, fixed in 3.12), and the cancelled task carries on: a
    loop woken as it was stopped ran on, and its `stop()` never returned.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
