"""A background task that does one round of work, then sleeps, until stopped."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Histogram

from service_runtime.background import DEFAULT_MAX_BACKOFF_SECONDS, BackgroundTask, Backoff
from service_runtime.waiting import event_within

log = logging.getLogger(__name__)


class LoopMetrics:
    """Rounds of every loop of a process, by loop name and outcome, and how long they took."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.rounds = Counter(
            "background_loop_rounds",
            "Rounds of work a background loop ran",
            ["loop", "outcome"],
            registry=registry,
        )
        self.done = Counter(
            "background_loop_done",
            "Things a background loop's rounds did (what its work returned)",
            ["loop"],
            registry=registry,
        )
        self.duration = Histogram(
            "background_loop_round_duration_seconds",
            "How long a round of a background loop took",
            ["loop"],
            registry=registry,
        )


# One set of metrics per registry: the loops of a process all share its /metrics.
_metrics_by_registry: weakref.WeakKeyDictionary[CollectorRegistry, LoopMetrics] = (
    weakref.WeakKeyDictionary()
)


def loop_metrics(registry: CollectorRegistry) -> LoopMetrics:
    if registry not in _metrics_by_registry:
        _metrics_by_registry[registry] = LoopMetrics(registry)
    return _metrics_by_registry[registry]


class Periodic(BackgroundTask):
    """Runs `work` every `interval_seconds`; a failed round is logged and the next one comes.

    `work` returns how many things it did, logged when not zero (unless `quiet`: the work logs
    for itself). `wake()` cuts the wait short (for work just recorded); the interval stays the
    way back to work left by a crash. After failed rounds the wait doubles, from the interval
    up to `max_backoff_seconds` (never below the interval), until a round succeeds, so a lost
    database is not hammered. Rounds are measured on `registry` (the service's /metrics).
    `linger_seconds`: how long a woken loop waits before its round, so that the wakes asked
    for meanwhile ride on it (one round for a burst of work recorded one piece at a time).
    """

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[int]],
        *,
        interval_seconds: float,
        max_backoff_seconds: float = DEFAULT_MAX_BACKOFF_SECONDS,
        registry: CollectorRegistry | None = None,
        quiet: bool = False,
        linger_seconds: float = 0.0,
        on_stop: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(name)
        self._on_stop = on_stop
        self._work = work
        self._interval = interval_seconds
        self._linger = linger_seconds
        self._backoff = Backoff(interval_seconds, max_backoff_seconds)
        self._metrics = loop_metrics(registry or CollectorRegistry())
        self._quiet = quiet
        self._woken = asyncio.Event()

    async def stop(self) -> None:
        running = self._task is not None
        await super().stop()
        if running and self._on_stop is not None:
            await self._on_stop()

    def wake(self) -> None:
        """Start the next round now rather than at the end of the wait."""
        self._woken.set()

    async def _run(self) -> None:
        while True:
            wait = await self._round()
            await event_within(self._woken, wait)
            if self._woken.is_set() and self._linger > 0:
                await asyncio.sleep(self._linger)
            self._woken.clear()

    async def _round(self) -> float:
        """One round of work, measured; returns how long to wait before the next."""
        started = time.perf_counter()
        try:
            done = await self._work()
        except Exception:
            wait = self._backoff.after_failure()
            log.exception("%s failed; trying again in %.1fs", self.name, wait)
            self._record("failed", started)
            return wait
        self._backoff.reset()
        self._record("ok", started)
        self._metrics.done.labels(self.name).inc(done)
        if done and not self._quiet:
            log.info("%s: %d done", self.name, done)
        return self._interval

    def _record(self, outcome: str, started: float) -> None:
        self._metrics.rounds.labels(self.name, outcome).inc()
        self._metrics.duration.labels(self.name).observe(time.perf_counter() - started)


def until_drained(
    take_batch: Callable[[], Awaitable[int]], batch: int
) -> Callable[[], Awaitable[int]]:
    """One round of work that keeps taking batches while they come back full: what a burst
    left beyond the first batch is not left for the next wake or poll."""

    async def drain() -> int:
        done = 0
        while (taken := await take_batch()) > 0:
            done += taken
            if taken < batch:
                break
        return done

    return drain
