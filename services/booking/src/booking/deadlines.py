"""The deadline scheduler: fires the saga's timers (hold expiry, auto-completion) when due.

Deadlines live on the booking rows (deadline_at), so a restarted service finds every one;
each due booking is claimed with FOR UPDATE SKIP LOCKED, so two replicas never fire the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from opentelemetry.trace import TracerProvider

from booking import service
from booking.domain.saga import SagaRules
from service_runtime.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


class DeadlineScheduler:
    """A background task that fires due deadlines, then sleeps `poll_seconds`."""

    def __init__(
        self,
        units: UnitsOfWork,
        rules: SagaRules,
        *,
        poll_seconds: float,
        tracer_provider: TracerProvider | None = None,
        batch_size: int = 100,
    ) -> None:
        self._units = units
        self._rules = rules
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._tracer_provider = tracer_provider
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="booking-deadlines")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def fire_due(self) -> int:
        """Fire up to one batch of due deadlines; returns how many fired."""
        fired = 0
        while fired < self._batch_size and await service.fire_due_deadline(
            self._units, self._rules, datetime.now(UTC), self._tracer_provider
        ):
            fired += 1
        return fired

    async def _run(self) -> None:
        while True:
            try:
                await self.fire_due()
            except Exception:
                log.exception("firing deadlines failed; retrying")
            await asyncio.sleep(self._poll_seconds)
