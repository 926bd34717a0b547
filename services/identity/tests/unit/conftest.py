"""Identity's use cases on in-memory fakes, at a time each test sets."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from identity.config import IdentitySettings
from identity.service.signing_keys import SigningKey, generate_signing_key

from .fakes import FakeIdentityUnits
from .service_world import NOW, QuickSettings, StoppedClock


@functools.cache
def _signing_key() -> SigningKey:
    """One RSA key for the whole run: making one takes tens of milliseconds."""
    return generate_signing_key()


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture
def settings() -> IdentitySettings:
    return QuickSettings(auth_issuer="http://identity.test", public_web_url="https://onetime.test")


@pytest.fixture
def units(clock: StoppedClock, settings: IdentitySettings) -> FakeIdentityUnits:
    units = FakeIdentityUnits(clock=clock)
    units.keep_signing_key(_signing_key(), settings.key_cipher(), made_at=NOW - timedelta(days=1))
    return units
