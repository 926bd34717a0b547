"""Requesting and quoting a booking through the service layer, on fakes (no servers)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Status
from booking.domain.pricing import InvalidBookingRequest
from booking.domain.studios import OwnStudio, RoomUnknown, StudioNotPublished, StudioUnknown
from booking.service import booking_requests
from booking.service.booking_requests import IdempotencyKeyReused
from contracts.availability import HoldSlots
from contracts.booking import BookingRequested
from contracts.catalog import StudioStatus
from contracts.payments import AuthorizePayment

from .conftest import NOW
from .service_world import FEE, MAX_HOURS, ROOM_CAPACITY, World


async def test_a_request_snapshots_the_price_and_asks_availability_for_the_slot() -> None:
    world = World()

    booking = await world.book()

    stored = world.units.tables.bookings[booking.id]
    assert stored.status is Status.REQUESTED
    assert (stored.price.hours, stored.price.subtotal_minor) == (2, 10_000)
    assert (stored.price.platform_fee_minor, stored.price.total_minor) == (1_000, 11_000)
    assert stored.owner_id == world.owner.user_id
    assert stored.requested_at == NOW
    [hold] = world.units.outbox.messages(HoldSlots)
    assert (hold.booking_id, hold.room_id) == (booking.id, world.request().room_id)
    [authorize] = world.units.outbox.messages(AuthorizePayment)
    assert (authorize.booking_id, authorize.amount.amount_minor) == (booking.id, 11_000)
    assert world.units.outbox.messages(BookingRequested) == []  # nobody consumes it


async def test_the_history_records_the_request_and_each_message_it_sent() -> None:
    world = World()

    booking = await world.book()

    entries = world.units.tables.history
    assert (entries[0].kind, entries[0].name) == ("action", "request")
    assert entries[0].actor_id == str(world.booker.user_id)
    sent = [e for e in entries if e.kind == "sent"]
    published = [envelope for _, envelope in world.units.outbox.published]
    assert [e.message_id for e in sent] == [envelope.message_id for envelope in published]
    assert all(e.booking_id == booking.id and e.occurred_at == NOW for e in entries)


async def test_the_same_idempotency_key_and_request_give_the_same_booking_once() -> None:
    world = World()

    first = await world.book(key="k-1")
    again = await world.book(key="k-1")

    assert again.id == first.id
    assert len(world.units.tables.bookings) == 1
    assert len(world.units.outbox.messages(HoldSlots)) == 1


async def test_the_same_key_for_another_request_is_refused_and_books_nothing() -> None:
    world = World()
    await world.book(key="k-1")

    with pytest.raises(IdempotencyKeyReused):
        await world.book(world.request(starts_in=timedelta(days=4)), key="k-1")

    assert len(world.units.tables.bookings) == 1


async def test_keys_are_per_person() -> None:
    world = World()

    mine = await world.book(key="k-1")
    theirs = await world.book(key="k-1", by=world.stranger)

    assert mine.id != theirs.id
    assert len(world.units.tables.bookings) == 2


async def test_an_owner_cannot_book_their_own_studio() -> None:
    world = World()

    with pytest.raises(OwnStudio):
        await world.book(by=world.owner)

    assert world.units.tables.bookings == {}
    assert world.units.outbox.published == []


async def test_an_unknown_studio_or_room_is_refused() -> None:
    world = World()

    with pytest.raises(StudioUnknown):
        await world.book(replace(world.request(), studio_id=uuid.uuid4()))
    with pytest.raises(RoomUnknown):
        await world.book(replace(world.request(), room_id=uuid.uuid4()))
    assert world.units.tables.bookings == {}


async def test_a_studio_not_published_takes_no_booking() -> None:
    world = World()
    studio = replace(world.the_studio, status=StudioStatus.SUSPENDED)
    world.units.tables.studios[studio.studio_id] = studio

    with pytest.raises(StudioNotPublished):
        await world.book()


async def test_a_booking_must_start_in_the_future_by_the_units_clock() -> None:
    world = World()

    with pytest.raises(InvalidBookingRequest) as refused:
        await world.book(world.request(starts_in=-timedelta(hours=1)))

    assert refused.value.field == "starts_at"
    assert world.units.outbox.published == []


async def test_longer_than_the_most_hours_is_refused() -> None:
    world = World()

    with pytest.raises(InvalidBookingRequest):
        await world.book(world.request(hours=MAX_HOURS + 1))


async def test_a_quote_prices_like_the_booking_and_books_nothing() -> None:
    world = World()

    quote = await booking_requests.quote_booking(
        world.units, world.request(), platform_fee_percent=FEE, max_hours=MAX_HOURS
    )
    booking = await world.book()

    assert quote.price == booking.price
    assert quote.quoted_at == NOW
    assert quote.studio == world.the_studio
    assert len(world.units.tables.bookings) == 1  # only the booking, not the quote


async def test_a_booking_is_for_as_many_people_as_the_room_holds_and_no_more() -> None:
    world = World()

    full = await world.book(replace(world.request(), attendees=ROOM_CAPACITY))
    with pytest.raises(InvalidBookingRequest) as refused:
        await world.book(replace(world.request(), attendees=ROOM_CAPACITY + 1), key="crowd")

    assert world.units.tables.bookings[full.id].attendees == ROOM_CAPACITY
    assert refused.value.field == "attendees"
    assert f"at most {ROOM_CAPACITY} people" in str(refused.value)
    assert len(world.units.tables.bookings) == 1


async def test_a_quote_refuses_more_people_than_the_room_holds() -> None:
    world = World()

    with pytest.raises(InvalidBookingRequest) as refused:
        await booking_requests.quote_booking(
            world.units,
            replace(world.request(), attendees=ROOM_CAPACITY + 1),
            platform_fee_percent=FEE,
            max_hours=MAX_HOURS,
        )

    assert refused.value.field == "attendees"


async def test_the_same_key_for_another_number_of_people_is_another_request() -> None:
    world = World()
    await world.book(key="k")

    with pytest.raises(IdempotencyKeyReused):
        await world.book(replace(world.request(), attendees=3), key="k")
