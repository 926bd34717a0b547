"""Availability's use cases on in-memory fakes, at a time each test sets."""

from __future__ import annotations

import pytest

from .fakes import FakeAvailabilityUnits
from .service_world import StoppedClock, StudioAt, published_studio


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture
def units(clock: StoppedClock) -> FakeAvailabilityUnits:
    return FakeAvailabilityUnits(clock=clock)


@pytest.fixture
async def studio(units: FakeAvailabilityUnits) -> StudioAt:
    return await published_studio(units)
