"""Many bookers at once, on a few rooms: every answer is a 2xx or a clear 4xx, never a 5xx."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest

from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, booking_body

pytestmark = pytest.mark.integration

BOOKERS = 32
BOOKINGS_EACH = 3


async def _booker(
    http: httpx.AsyncClient, token_issuer: TestIssuer, studio: Studio, seen: Counter[int]
) -> None:
    booker = uuid.uuid4()
    headers = token_issuer.headers("booker", booker)
    for attempt in range(BOOKINGS_EACH):
        # A few days and hours only, so bookers keep asking for the same slots.
        body = booking_body(studio, days_ahead=10 + attempt % 2)
        idempotency = {"Idempotency-Key": f"k-{attempt % 2}"}
        created = await http.post(
            "/api/bookings", json=body, headers={**headers, **idempotency}, timeout=120
        )
        seen[created.status_code] += 1
        if created.status_code in (201, 202):
            for _ in range(3):
                read = await http.get(created.headers["Location"], headers=headers, timeout=120)
                seen[read.status_code] += 1
            listed = await http.get("/api/bookings", headers=headers, timeout=120)
            seen[listed.status_code] += 1


async def test_thirty_two_concurrent_bookers_see_no_server_error(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    seen: Counter[int] = Counter()

    await asyncio.gather(
        *(_booker(booking.http, token_issuer, studio, seen) for _ in range(BOOKERS))
    )

    assert seen[201] > 0, seen
    assert not [code for code in seen if code >= 500], seen
