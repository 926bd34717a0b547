"""Catalog's use cases on in-memory fakes, at a fixed time."""

from __future__ import annotations

import pytest

from .fakes import FakeCatalogUnits
from .service_world import NOW


@pytest.fixture
def units() -> FakeCatalogUnits:
    return FakeCatalogUnits(clock=lambda: NOW)
