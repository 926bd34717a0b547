"""The background loops a payments replica runs beside its HTTP and bus handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Loop:
    """Runs `work` every `interval` seconds, or at once when woken; survives its failures.

    `work` returns True when it may have more to do right away.
    """

    def __init__(
        self, name: str, work: Callable[[], Awaitable[bool]], interval_seconds: float
    ) -> None:
        self.name = name
        self._work = work
        self._interval = interval_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await self._work():
                    pass
            except Exception:
                log.exception("%s failed; trying again later", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
