"""Bounds on holds: how long one may last, and how many one person may place.

A hold blocks a room for everyone else without a payment, so its length, a person's live
holds and their rate are all bounded; the saga's holds are bounded by length only (booking
bounds how many bookings a person starts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from availability.domain.intervals import Interval
from availability.domain.slots import Refusal
from availability.domain.studios import AvailabilityError
from contracts.availability import UnavailableReason

RATE_WINDOW = timedelta(minutes=1)
"""The window a person's hold rate is counted over."""


@dataclass(frozen=True)
class HoldLimits:
    """The longest hold, a person's live holds at once and their holds per RATE_WINDOW."""

    max_length: timedelta
    live_per_person: int
    per_person_per_window: int


@dataclass(frozen=True)
class PersonsHolds:
    """What counts against a person's limits now: their live holds and their recent ones."""

    live: int
    first_to_lapse: datetime | None
    recent: int
    first_recent: datetime | None


class HoldLimitReached(AvailabilityError):
    """A person holds as much as they may; `retry_after` says when that changes."""

    def __init__(self, detail: str, retry_after: timedelta) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds to wait, at least one (for a Retry-After header)."""
        return max(1, math.ceil(self.retry_after.total_seconds()))


def too_long(length: timedelta, limits: HoldLimits) -> str | None:
    """Why a hold of this length may not be, or None when it may."""
    if length <= limits.max_length:
        return None
    return f"A hold lasts at most {_hours(limits.max_length)} hours."


def length_refusal(during: Interval, limits: HoldLimits) -> Refusal | None:
    """The saga's answer to a range longer than any hold may be."""
    reason = too_long(during.duration, limits)
    if reason is None:
        return None
    # The contract's reasons are a closed set; the detail says which rule refused it.
    return Refusal(UnavailableReason.OUTSIDE_OPENING_HOURS, reason)


def check_person_may_hold(holds: PersonsHolds, limits: HoldLimits, now: datetime) -> None:
    """Raise HoldLimitReached when one more hold would exceed the person's limits."""
    if holds.live >= limits.live_per_person:
        lapse = holds.first_to_lapse or now
        raise HoldLimitReached(
            f"You already hold {holds.live} slots, the most one person may; "
            "release one or let it lapse.",
            lapse - now,
        )
    if holds.recent >= limits.per_person_per_window:
        oldest = holds.first_recent or now
        raise HoldLimitReached(
            f"At most {limits.per_person_per_window} holds a minute; try again shortly.",
            oldest + RATE_WINDOW - now,
        )


def _hours(length: timedelta) -> str:
    return f"{length.total_seconds() / 3600:g}"
