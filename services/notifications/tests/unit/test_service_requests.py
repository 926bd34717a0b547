"""Requests to book in email, on in-memory fakes: a paid request asks the owner to answer by its
deadline (in the studio's time, with the page to answer on) and tells the booker; accepted, the
usual confirmation follows; declined or unanswered, the booker hears so."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts import Envelope
from contracts.booking import (
    BookingAwaitingOwner,
    CancellationReason,
    CancelledBy,
)
from contracts.values import Money
from notifications.domain.notices import Kind
from notifications.service import booking_emails

from .test_service_emails import NOW, World

RESPOND_BY = NOW + timedelta(hours=6)  # 12:00 UTC + 6 h = 19:00 in Berlin (CEST)


def awaiting(world: World, booking_id: uuid.UUID) -> BookingAwaitingOwner:
    return BookingAwaitingOwner(
        **world.about(booking_id),
        price=Money(amount_minor=9000, currency="EUR"),
        respond_by=RESPOND_BY,
    )


async def _waiting(world: World) -> uuid.UUID:
    booking_id = uuid.uuid4()
    event = awaiting(world, booking_id)
    async with world.units.begin() as unit:
        await booking_emails.awaiting_owner(unit, event, Envelope.wrap(event), world.writing)
    return booking_id


async def test_a_paid_request_asks_the_owner_to_answer_by_its_deadline_and_tells_the_booker() -> (
    None
):
    world = World()

    booking_id = await _waiting(world)

    [to_owner] = world.units.tables.emails_to(world.owner.id)
    [to_booker] = world.units.tables.emails_to(world.booker.id)
    assert to_owner.kind is Kind.REQUEST_TO_ANSWER
    assert to_owner.subject == (
        "Request to book Kreuzberg Sound Lab: answer by Wednesday 1 May 2030, 20:00 CEST"
    )
    assert f"https://studios.example.com/owner/bookings/{booking_id}" in to_owner.text_body
    assert to_booker.kind is Kind.REQUEST_SENT
    assert "they answer by Wednesday 1 May 2030, 20:00 CEST" in to_booker.subject
    assert to_booker.calendar is None  # no invitation until it is confirmed


async def test_an_accepted_request_is_confirmed_as_any_booking() -> None:
    world = World()
    booking_id = await _waiting(world)

    await world.confirm(world.confirmed(booking_id))

    kinds = {e.kind for e in world.units.tables.emails_to(world.booker.id)}
    assert kinds == {Kind.REQUEST_SENT, Kind.BOOKING_CONFIRMED}


async def test_a_declined_or_unanswered_request_is_told_to_the_booker_only() -> None:
    world = World()
    declined, unanswered = await _waiting(world), await _waiting(world)

    for booking_id, by, reason in (
        (declined, CancelledBy.OWNER, CancellationReason.REQUESTED),
        (unanswered, CancelledBy.SYSTEM, CancellationReason.HOLD_EXPIRED),
    ):
        event = world.cancelled(booking_id).model_copy(
            update={"cancelled_by": by, "reason": reason}
        )
        async with world.units.begin() as unit:
            await booking_emails.booking_cancelled(unit, event, Envelope.wrap(event), world.writing)

    told = {
        e.booking_id: e
        for e in world.units.tables.emails_to(world.booker.id)
        if e.kind is Kind.REQUEST_NOT_ACCEPTED
    }
    assert told[declined].subject.startswith("Kreuzberg Sound Lab declined your request")
    assert "did not answer your request to book in time" in told[unanswered].text_body
    assert "Back to you: 90.00 EUR" in told[declined].text_body
    owner_kinds = {e.kind for e in world.units.tables.emails_to(world.owner.id)}
    assert owner_kinds == {Kind.REQUEST_TO_ANSWER}
