"""What every background loop shares: one task with start and a clean stop, and a backoff."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

# Long enough not to hammer a database that is down, short enough to be back soon after it.
DEFAULT_MAX_BACKOFF_SECONDS = 10.0


class Backoff:
    """Waits that double after each failure, from `first_seconds` up to `max_seconds`."""

    def __init__(self, first_seconds: float, max_seconds: float) -> None:
        self._first = first_seconds
        self._max = max(first_seconds, max_seconds)
        self._next = first_seconds

    def after_failure(self) -> float:
        """The wait before the next try; each call doubles the one after."""
        wait = self._next
        self._next = min(wait * 2, self._max)
        return wait

    def reset(self) -> None:
        """A success: the next failure waits `first_seconds` again."""
        self._next = self._first


class BackgroundTask(ABC):
    """One asyncio task running `_run` from `start()` until `stop()` cancels it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the task and wait until it has ended; a second call does nothing."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        # wait() never raises the task's CancelledError, yet a cancellation of the caller
        # still reaches the caller.
        await asyncio.wait([task])

    @abstractmethod
    async def _run(self) -> None: ...
