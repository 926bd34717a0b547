"""The deadline scheduler: fires the saga's timers (hold expiry, auto-completion) when due.

Deadlines live on the booking rows (deadline_at), so a restarted service finds every one;
each due booking is claimed with FOR UPDATE SKIP LOCKED, so two replicas never fire the same.
"""

from __future__ import annotations

from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from booking.domain.saga import SagaRules
from booking.repositories import BookingUnits
from booking.service.saga import fire_due_deadline
from service_runtime.periodic import Periodic


class DeadlineScheduler:
    """Fires a batch of due deadlines per round of its loop, then sleeps `poll_seconds`."""

    def __init__(
        self,
        units: BookingUnits,
        rules: SagaRules,
        *,
        poll_seconds: float,
        tracer_provider: TracerProvider | None = None,
        batch_size: int = 100,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._units = units
        self._rules = rules
        self._batch_size = batch_size
        self._tracer_provider = tracer_provider
        self.loop = Periodic(
            "booking-deadlines", self.fire_due, interval_seconds=poll_seconds, registry=registry
        )
        """Started and stopped by the service's runtime."""

    async def fire_due(self) -> int:
        """Fire up to one batch of due deadlines; returns how many fired."""
        fired = 0
        now = self._units.clock()  # the round's time: every deadline due by then fires
        while fired < self._batch_size and await fire_due_deadline(
            self._units, self._rules, now, self._tracer_provider
        ):
            fired += 1
        return fired
