"""The background task that releases lapsed holds and announces HoldExpired."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from availability import service
from service_runtime.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


class HoldSweeper:
    """Every `interval_seconds`, expires lapsed holds in batches until none are left.

    Replicas may all run one: rows are claimed with FOR UPDATE SKIP LOCKED.
    """

    def __init__(self, *, interval_seconds: float, batch_size: int) -> None:
        self._interval = interval_seconds
        self._batch_size = batch_size
        self._task: asyncio.Task[None] | None = None

    def start(self, units: UnitsOfWork) -> None:
        self._task = asyncio.create_task(self._run(units), name="hold-sweeper")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def sweep(self, units: UnitsOfWork) -> int:
        """Expire every hold lapsed by now; returns how many."""
        total = 0
        while True:
            count = await service.sweep_lapsed_holds(
                units, now=service.now_utc(), limit=self._batch_size
            )
            total += count
            if count < self._batch_size:
                return total

    async def _run(self, units: UnitsOfWork) -> None:
        while True:
            try:
                if swept := await self.sweep(units):
                    log.info("expired %d lapsed holds", swept)
            except Exception:
                log.exception("hold sweep failed; retrying")
            await asyncio.sleep(self._interval)
