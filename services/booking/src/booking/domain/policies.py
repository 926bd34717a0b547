"""Refunds by cancellation policy: the one table of them (README.md repeats it for people).

A booker's refund depends on how long before the session starts they cancel. Everyone gets
everything back within the grace period after booking, when the session is far enough away.
Owners' and admins' cancellations always refund in full. The refund is a percentage of the
total the booker paid (platform fee included), rounded down to the minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.booking import CancelledBy
from contracts.values import CancellationPolicy

GRACE_PERIOD = timedelta(hours=1)
"""Cancelling within this long after booking refunds in full ..."""
GRACE_MIN_NOTICE = timedelta(hours=24)
"""... as long as the session starts more than this long after the cancellation."""


@dataclass(frozen=True)
class RefundStep:
    """Cancelling at least `notice` before the start refunds `percent` of the total."""

    notice: timedelta
    percent: int


REFUND_SCHEDULES: dict[CancellationPolicy, tuple[RefundStep, ...]] = {
    CancellationPolicy.FLEXIBLE: (
        RefundStep(timedelta(hours=24), 100),
        RefundStep(timedelta(0), 50),
    ),
    CancellationPolicy.MODERATE: (
        RefundStep(timedelta(days=5), 100),
        RefundStep(timedelta(hours=24), 50),
        RefundStep(timedelta(0), 0),
    ),
    CancellationPolicy.STRICT: (
        RefundStep(timedelta(days=14), 100),
        RefundStep(timedelta(days=7), 50),
        RefundStep(timedelta(0), 0),
    ),
}
"""Steps from the longest notice down; after the session has started nothing is refunded."""


class RuleKind(StrEnum):
    """Which part of the policy decides a cancellation's refund."""

    BY_OWNER_OR_ADMIN = "by_owner_or_admin"
    GRACE_PERIOD = "grace_period"
    NOTICE = "notice"
    AFTER_START = "after_start"


@dataclass(frozen=True)
class RefundRule:
    """The rule that applies to one cancellation: its kind, the share refunded, and for a
    `notice` rule the step of the schedule (at least `notice` before the start)."""

    kind: RuleKind
    percent: int
    notice: timedelta | None = None


def refund_rule(
    policy: CancellationPolicy,
    *,
    booked_at: datetime,
    cancelled_at: datetime,
    starts_at: datetime,
    cancelled_by: CancelledBy,
) -> RefundRule:
    """The rule of `policy` that decides what a cancellation at `cancelled_at` gives back."""
    if cancelled_by is not CancelledBy.BOOKER:
        return RefundRule(RuleKind.BY_OWNER_OR_ADMIN, 100)
    notice = starts_at - cancelled_at
    if cancelled_at - booked_at <= GRACE_PERIOD and notice > GRACE_MIN_NOTICE:
        return RefundRule(RuleKind.GRACE_PERIOD, 100)
    for step in REFUND_SCHEDULES[policy]:
        if notice >= step.notice:
            return RefundRule(RuleKind.NOTICE, step.percent, step.notice)
    return RefundRule(RuleKind.AFTER_START, 0)


def refund_percent(
    policy: CancellationPolicy,
    *,
    booked_at: datetime,
    cancelled_at: datetime,
    starts_at: datetime,
    cancelled_by: CancelledBy,
) -> int:
    """The share of the total (0-100) a cancellation gives back to the booker."""
    return refund_rule(
        policy,
        booked_at=booked_at,
        cancelled_at=cancelled_at,
        starts_at=starts_at,
        cancelled_by=cancelled_by,
    ).percent


def full_refund_until(
    policy: CancellationPolicy, *, booked_at: datetime, starts_at: datetime
) -> datetime | None:
    """The last instant (to the second) at which the booker's cancellation refunds in full;
    None when no instant after booking does."""
    candidates = [
        starts_at - step.notice for step in REFUND_SCHEDULES[policy] if step.percent == 100
    ]
    # The grace period needs strictly more than GRACE_MIN_NOTICE: one second less.
    grace_ends = min(booked_at + GRACE_PERIOD, starts_at - GRACE_MIN_NOTICE - timedelta(seconds=1))
    candidates.append(grace_ends)
    latest = max(candidates)
    return latest if latest >= booked_at else None


def refund_for(
    policy: CancellationPolicy,
    *,
    total_minor: int,
    booked_at: datetime,
    cancelled_at: datetime,
    starts_at: datetime,
    cancelled_by: CancelledBy,
) -> int:
    """The refund in minor units for cancelling a booking of `total_minor`."""
    percent = refund_percent(
        policy,
        booked_at=booked_at,
        cancelled_at=cancelled_at,
        starts_at=starts_at,
        cancelled_by=cancelled_by,
    )
    return total_minor * percent // 100
