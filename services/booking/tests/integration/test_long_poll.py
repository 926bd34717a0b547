"""A booker's page waits for the booking to change with one request (a long poll), not a loop."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from booking.db.unit import SqlBookingUnits
from booking.domain.booking import Booking
from booking.repositories import BookingUnits
from booking.service import reads
from contracts.availability import HoldSlots
from service_runtime.auth import Principal
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, booking_body, held

pytestmark = pytest.mark.integration


async def _requested(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> tuple[dict[str, str], dict[str, object]]:
    # the booking waits for availability and payments until the test answers
    probe.hold, probe.intents = "silent", False
    headers = token_issuer.headers("booker", uuid.uuid4())
    created = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=30, hours=1), headers=headers
    )
    assert created.status_code == 202, created.text
    return headers, created.json()


async def test_a_long_poll_answers_when_the_booking_changes_and_not_before(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    headers, requested = await _requested(booking, studio, probe, token_issuer)
    booking_id = uuid.UUID(str(requested["id"]))
    seen = await booking.http.get(f"/api/bookings/{booking_id}", headers=headers)
    etag = seen.headers["ETag"]
    assert etag == f'"{requested["version"]}"'

    started = time.monotonic()
    waiting = asyncio.create_task(
        booking.http.get(
            f"/api/bookings/{booking_id}",
            headers=headers | {"If-None-Match": etag, "Prefer": "wait=15"},
        )
    )
    await asyncio.sleep(0.5)
    assert not waiting.done()  # nothing changed yet: the request is still waiting

    async def asked() -> bool:
        return bool(probe.sent(booking_id, HoldSlots))

    await eventually(asked)
    [hold_envelope] = probe.envelopes(booking_id, HoldSlots)
    [hold] = probe.sent(booking_id, HoldSlots)
    await probe.publish(held(hold, datetime.now(UTC) + timedelta(minutes=10)), cause=hold_envelope)
    changed = await asyncio.wait_for(waiting, 15)

    assert changed.status_code == 200, changed.text
    assert time.monotonic() - started < 10  # woken by the change, not by the end of the wait
    assert changed.json()["status"] != "requested"
    assert changed.headers["ETag"] == f'"{changed.json()["version"]}"'
    assert changed.headers["ETag"] != etag


async def test_an_unchanged_booking_answers_304_when_the_wait_ends_or_none_is_asked(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    headers, requested = await _requested(booking, studio, probe, token_issuer)
    path = f"/api/bookings/{requested['id']}"
    etag = (await booking.http.get(path, headers=headers)).headers["ETag"]

    at_once = await booking.http.get(path, headers=headers | {"If-None-Match": etag})
    after_wait = await booking.http.get(
        path, headers=headers | {"If-None-Match": etag, "Prefer": "wait=1"}
    )
    stale = await booking.http.get(path, headers=headers | {"If-None-Match": '"0"'})
    stranger = await booking.http.get(
        path,
        headers=token_issuer.headers("booker", uuid.uuid4())
        | {"If-None-Match": etag, "Prefer": "wait=5"},
    )
    owner = await booking.http.get(
        path,
        headers=token_issuer.headers("owner", studio.owner_id)
        | {"If-None-Match": etag, "Prefer": "wait=1"},
    )
    unknown = await booking.http.get(
        f"/api/bookings/{uuid.uuid4()}",
        headers=headers | {"If-None-Match": etag, "Prefer": "wait=5"},
    )

    assert (at_once.status_code, at_once.content) == (304, b"")
    assert after_wait.status_code == 304
    assert after_wait.headers["ETag"] == etag
    assert stale.status_code == 200  # a version the client does not have: the booking itself
    assert stranger.status_code == 403  # checked before waiting: no one else's booking to watch
    assert (owner.status_code, owner.headers["ETag"]) == (304, etag)  # the studio's owner may
    assert unknown.status_code == 404


async def test_the_read_that_answers_a_change_is_the_booking_its_studio_and_its_history(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    """What a long poll reads in one statement is what the separate reads of the booking, its
    studio and its history give."""
    _, requested = await _requested(booking, studio, probe, token_issuer)
    booking_id = uuid.UUID(str(requested["id"]))
    assert booking.runtime is not None
    units = SqlBookingUnits(booking.runtime.units)

    async with units.begin() as unit:
        view = await unit.bookings.viewed(booking_id)
        apart = (
            await unit.bookings.get(booking_id),
            await unit.studios.get(studio.studio_id),
            await unit.history.of_booking(booking_id),
        )
        unknown = await unit.bookings.viewed(uuid.uuid4())

    assert view is not None
    assert (view.booking, view.studio, view.history) == apart
    assert [entry.kind for entry in view.history] == ["action", "sent", "sent"]
    assert all(entry.occurred_at is not None for entry in view.history)
    assert unknown is None


async def test_the_waiting_post_is_answered_by_the_booking_its_reply_saved_without_reading_it(
    booking: BookingService,
    studio: Studio,
    token_issuer: TestIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reply that answers the booker is consumed by this process, whose step hands the
    booking it saved to the waiting POST: the POST reads nothing, and answers what a read
    would give."""
    reads_of_state: list[uuid.UUID] = []
    read_state = reads.booking_state

    async def counted(units: BookingUnits, booking_id: uuid.UUID) -> Booking:
        reads_of_state.append(booking_id)
        return await read_state(units, booking_id)

    monkeypatch.setattr(reads, "booking_state", counted)
    headers = token_issuer.headers("booker", uuid.uuid4())
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=headers)

    assert created.status_code == 201, created.text
    assert created.json()["client_secret"]
    assert reads_of_state == []
    booking_id = uuid.UUID(created.json()["id"])
    read = (await booking.http.get(f"/api/bookings/{booking_id}", headers=headers)).json()
    answered = created.json() | {"history": read["history"]}  # the POST's answer has none
    assert answered == read


async def test_the_bookers_long_poll_at_the_version_handed_over_waits_without_reading_it(
    booking: BookingService,
    studio: Studio,
    token_issuer: TestIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The booker's page, once paid, waits at the version the POST answered: this process
    heard of none newer, so the wait needs no look first. Anyone else's is read, and checked."""
    looks: list[uuid.UUID] = []
    look = reads.booking_version

    async def counted(units: BookingUnits, principal: Principal, booking_id: uuid.UUID) -> int:
        looks.append(principal.user_id)
        return await look(units, principal, booking_id)

    monkeypatch.setattr(reads, "booking_version", counted)
    booker_id = uuid.uuid4()
    headers = token_issuer.headers("booker", booker_id)
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=headers)
    assert created.status_code == 201, created.text
    path = f"/api/bookings/{created.json()['id']}"
    wait = {"If-None-Match": f'"{created.json()["version"]}"', "Prefer": "wait=1"}

    mine = await booking.http.get(path, headers=headers | wait)
    assert (mine.status_code, looks) == (304, [])
    stranger_id = uuid.uuid4()
    stranger = await booking.http.get(
        path, headers=token_issuer.headers("booker", stranger_id) | wait
    )
    owner = await booking.http.get(
        path, headers=token_issuer.headers("owner", studio.owner_id) | wait
    )

    assert (stranger.status_code, owner.status_code) == (403, 304)
    assert set(looks) == {stranger_id, studio.owner_id}  # before (and after) their waits
