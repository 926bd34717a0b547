"""Payments' use cases on in-memory fakes, at a time each test sets."""

from __future__ import annotations

import pytest

from payments.config import PaymentsSettings
from payments.service.context import Context

from .fake_stripe import FakeStripe
from .fakes import FakePaymentsUnits
from .service_world import StoppedClock


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture
def units(clock: StoppedClock) -> FakePaymentsUnits:
    return FakePaymentsUnits(clock=clock)


@pytest.fixture
def stripe() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
def ctx(stripe: FakeStripe) -> Context:
    """Stripe is the fake: it answers at once and remembers what it was asked."""
    settings = PaymentsSettings(stripe_api_base="http://127.0.0.1:9")
    return Context(settings, stripe)
