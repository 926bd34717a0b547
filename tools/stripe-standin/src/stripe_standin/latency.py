"""Late answers on purpose: the request takes effect at once, its answer comes `seconds` later,
as when Stripe is slow or the network drops the answer of a call that did go through."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Latency:
    """Delays by path prefix (`/v1/payment_intents/pi_x/capture`, `/v1/payment_intents`)."""

    seconds_by_prefix: dict[str, float] = field(default_factory=dict)

    def set(self, prefix: str, seconds: float) -> None:
        """Delay answers to paths starting with `prefix`; 0 answers at once again."""
        if seconds > 0:
            self.seconds_by_prefix[prefix] = seconds
        else:
            self.seconds_by_prefix.pop(prefix, None)

    def delay_for(self, path: str) -> float:
        """How long to hold the answer to `path` (the longest matching delay)."""
        matching = [s for prefix, s in self.seconds_by_prefix.items() if path.startswith(prefix)]
        return max(matching, default=0.0)
