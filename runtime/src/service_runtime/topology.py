"""Names of a namespace's exchanges and queues; the namespace keeps test runs apart."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RETRY_QUEUES = 10  # bounds the retry delays a service may configure


@dataclass(frozen=True)
class Topology:
    """Per service: its queue, one retry queue per retry, its dead-letter queue."""

    namespace: str

    @property
    def exchange(self) -> str:
        return self.namespace

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dead-letter"

    def queue(self, service: str) -> str:
        return f"{self.namespace}.{service}"

    def retry_queue(self, service: str, attempt: int) -> str:
        """Where a message waits after its failed attempt number `attempt` (1-based)."""
        return f"{self.namespace}.{service}.retry.{attempt}"

    def dead_letter_queue(self, service: str) -> str:
        return f"{self.namespace}.{service}.dead-letter"

    def queues_of(self, service: str) -> list[str]:
        """Every queue a service may have declared (for tearing a namespace down)."""
        retries = [self.retry_queue(service, n) for n in range(1, MAX_RETRY_QUEUES + 1)]
        return [self.queue(service), *retries, self.dead_letter_queue(service)]
