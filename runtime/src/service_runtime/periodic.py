"""A background task that does one round of work, then sleeps, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs `work` every `interval_seconds`; a failed round is logged and the next one comes.

    `work` returns how many things it did, logged when not zero. `wake()` cuts the wait short
    (for work just recorded); the interval stays the way back to work left by a crash.
    """

    def __init__(
        self, name: str, work: Callable[[], Awaitable[int]], *, interval_seconds: float
    ) -> None:
        self._name = name
        self._work = work
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now rather than at the end of the interval."""
        self._woken.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                if done := await self._work():
                    log.info("%s: %d done", self._name, done)
            except Exception:
                log.exception("%s failed; trying again in %ss", self._name, self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._interval)
            self._woken.clear()
