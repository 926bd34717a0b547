"""Messages between booker and owner, and the admin's timeline of a booking."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from booking.config import BookingSettings
from booking.db import tables
from contracts import Envelope
from contracts.booking import MESSAGE_EXCERPT_LENGTH, MessagePosted
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Studio, booking_body

pytestmark = pytest.mark.integration


@pytest.fixture
def booking_settings(booking_settings: BookingSettings) -> BookingSettings:
    return booking_settings.model_copy(update={"max_messages_per_booking": 2})


async def test_messages_are_visible_to_booker_owner_and_admins_only(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    created = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker", booker)
    )
    url = f"/api/bookings/{created.json()['id']}/messages"

    sent = await booking.http.post(
        url,
        json={"body": "Can I bring a drum kit?"},
        headers=token_issuer.headers("booker", booker),
    )
    assert sent.status_code == 201
    reply = await booking.http.post(
        url, json={"body": "Yes."}, headers=token_issuer.headers("owner", studio.owner_id)
    )
    assert reply.status_code == 201

    for headers in (token_issuer.headers("owner", studio.owner_id), token_issuer.headers("admin")):
        listed = await booking.http.get(url, headers=headers)
        assert [m["body"] for m in listed.json()] == ["Can I bring a drum kit?", "Yes."]
    for role in ("booker", "owner"):
        assert (await booking.http.get(url, headers=token_issuer.headers(role))).status_code == 403
        stranger_post = await booking.http.post(
            url, json={"body": "hi"}, headers=token_issuer.headers(role)
        )
        assert stranger_post.status_code == 403


async def test_each_message_is_announced_once_for_the_other_side_to_be_told(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    headers = token_issuer.headers("booker", booker)
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=headers)
    booking_id = created.json()["id"]
    long_body = "Can we bring our own drum kit? " + "x" * 900

    sent = await booking.http.post(
        f"/api/bookings/{booking_id}/messages", json={"body": long_body}, headers=headers
    )

    assert sent.status_code == 201, sent.text
    assert booking.runtime is not None
    query = select(tables.outbox.c.envelope).where(
        tables.outbox.c.message_type == MessagePosted.message_type
    )
    async with booking.runtime.database.transaction() as session:
        envelopes = (await session.scalars(query)).all()
    [posted] = [Envelope.model_validate(e).payload for e in envelopes]
    assert posted["booking_id"] == booking_id
    assert posted["chat_message_id"] == sent.json()["id"]
    assert posted["author_id"] == str(booker)
    assert posted["excerpt"] == long_body[:MESSAGE_EXCERPT_LENGTH]


async def test_timeline_lists_every_step_with_message_and_trace_ids(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    created = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker")
    )
    booking_id = created.json()["id"]
    url = f"/api/admin/bookings/{booking_id}/timeline"

    assert (await booking.http.get(url, headers=token_issuer.headers("owner"))).status_code == 403
    timeline = (await booking.http.get(url, headers=token_issuer.headers("admin"))).json()

    names = [(e["kind"], e["name"]) for e in timeline["entries"]]
    assert names[:3] == [
        ("action", "request"),
        ("sent", "availability.hold_slots"),
        ("sent", "payments.authorize_payment"),
    ]
    assert ("received", "availability.slots_held") in names
    assert ("received", "payments.payment_intent_ready") in names
    trace_ids = {e["trace_id"] for e in timeline["entries"]}
    assert len(trace_ids) == 1  # one booking, one trace
    assert None not in trace_ids
    hold = next(e for e in timeline["entries"] if e["name"] == "availability.hold_slots")
    held = next(e for e in timeline["entries"] if e["name"] == "availability.slots_held")
    assert held["causation_id"] == hold["message_id"]


async def test_a_conversation_holds_a_bounded_number_of_messages(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=booker)
    url = f"/api/bookings/{created.json()['id']}/messages"
    for text in ("one", "two"):
        assert (
            await booking.http.post(url, json={"body": text}, headers=booker)
        ).status_code == 201

    third = await booking.http.post(url, json={"body": "three"}, headers=booker)

    assert third.status_code == 409
    assert third.headers["content-type"] == "application/problem+json"
    assert "at most 2 messages" in third.json()["detail"]
    assert [m["body"] for m in (await booking.http.get(url, headers=booker)).json()] == [
        "one",
        "two",
    ]
