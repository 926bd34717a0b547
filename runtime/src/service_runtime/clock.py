"""The one clock of every service: read once per use case by the service layer, never by a domain.

A unit of work reads it when it begins (`uow.now`), so every decision in one transaction sees the
same instant; tests give `UnitsOfWork` (or a fake) a clock that returns a fixed time.
"""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The time now, timezone-aware UTC."""
    return datetime.now(UTC)
