"""The background task that releases lapsed holds and announces HoldExpired."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry

from availability.repositories import AvailabilityUnits
from availability.service import holds
from service_runtime.periodic import Periodic

log = logging.getLogger(__name__)


class HoldSweeper:
    """Every `interval_seconds`, expires lapsed holds in batches until none are left.

    Replicas may all run one: rows are claimed with FOR UPDATE SKIP LOCKED.
    """

    def __init__(self, *, interval_seconds: float, batch_size: int) -> None:
        self._interval = interval_seconds
        self._batch_size = batch_size

    def loop(self, units: AvailabilityUnits, registry: CollectorRegistry | None = None) -> Periodic:
        """The loop that sweeps every interval (the service's runtime starts and stops it)."""
        return Periodic(
            "hold-sweeper",
            lambda: self._sweep_and_log(units),
            interval_seconds=self._interval,
            registry=registry,
            quiet=True,  # _sweep_and_log says what it expired
        )

    async def sweep(self, units: AvailabilityUnits) -> int:
        """Expire every hold lapsed by now; returns how many."""
        total = 0
        while True:
            count = await holds.sweep_lapsed_holds(units, now=units.clock(), limit=self._batch_size)
            total += count
            if count < self._batch_size:
                return total

    async def _sweep_and_log(self, units: AvailabilityUnits) -> int:
        if swept := await self.sweep(units):
            log.info("expired %d lapsed holds", swept)
        return swept
