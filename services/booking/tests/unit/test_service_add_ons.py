"""Add-ons on a booking's price, through the service layer on fakes: what the studio sells, for
the hours booked, the required ones always on, and the fee on the whole."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from booking.domain.pricing import InvalidBookingRequest
from booking.domain.studios import AddOn
from booking.service import booking_requests
from booking.service.booking_requests import IdempotencyKeyReused
from contracts.availability import HoldSlots
from contracts.catalog import AddOnPricing

from .service_world import FEE, MAX_HOURS, World

ENGINEER = AddOn(uuid.uuid4(), "Engineer", AddOnPricing.PER_HOUR, 2500)
DRUMS = AddOn(uuid.uuid4(), "Drum kit", AddOnPricing.PER_BOOKING, 1500)
CABLES = AddOn(uuid.uuid4(), "Cable", AddOnPricing.PER_ITEM, 300, max_quantity=10)
CLEANING = AddOn(uuid.uuid4(), "Cleaning", AddOnPricing.PER_BOOKING, 1000, required=True)


def world_selling(*add_ons: AddOn) -> World:
    world = World()
    world.studio = replace(world.the_studio, add_ons=add_ons)
    world.units.tables.studios[world.the_studio.studio_id] = world.the_studio
    return world


async def test_each_add_on_is_priced_by_its_kind_for_the_hours_and_the_fee_is_on_the_whole() -> (
    None
):
    world = world_selling(ENGINEER, DRUMS, CABLES)
    chosen = {ENGINEER.add_on_id: 1, DRUMS.add_on_id: 1, CABLES.add_on_id: 4}

    booking = await world.book(replace(world.request(hours=3), add_ons=chosen))

    price = world.units.tables.bookings[booking.id].price
    assert [(line.name, line.quantity, line.amount_minor) for line in price.add_ons] == [
        ("Engineer", 1, 7_500),  # 25.00 an hour for 3 hours
        ("Drum kit", 1, 1_500),  # once
        ("Cable", 4, 1_200),  # 3.00 each
    ]
    assert (price.subtotal_minor, price.add_ons_minor) == (15_000, 10_200)
    assert price.platform_fee_minor == 2_520  # 10 % of 252.00
    assert price.total_minor == 15_000 + 10_200 + 2_520


async def test_a_required_add_on_is_on_every_booking_and_unchosen_ones_on_none() -> None:
    world = world_selling(ENGINEER, CLEANING)

    booking = await world.book(replace(world.request(), add_ons={ENGINEER.add_on_id: 0}))

    price = world.units.tables.bookings[booking.id].price
    assert [line.name for line in price.add_ons] == ["Cleaning"]
    assert price.total_minor == 10_000 + 1_000 + 1_100


async def test_an_add_on_the_studio_does_not_sell_or_beyond_its_quantity_is_refused() -> None:
    world = world_selling(CABLES)

    with pytest.raises(InvalidBookingRequest) as unknown:
        await world.book(replace(world.request(), add_ons={DRUMS.add_on_id: 1}))
    with pytest.raises(InvalidBookingRequest) as too_many:
        await world.book(replace(world.request(), add_ons={CABLES.add_on_id: 11}), key="k")

    assert unknown.value.field == too_many.value.field == "add_ons"
    assert "sold up to 10: the quantity is 11" in str(too_many.value)
    assert world.units.tables.bookings == {}
    assert world.units.outbox.messages(HoldSlots) == []


async def test_the_quote_prices_the_add_ons_as_the_booking_does() -> None:
    world = world_selling(ENGINEER, CLEANING)
    request = replace(world.request(), add_ons={ENGINEER.add_on_id: 1})

    quote = await booking_requests.quote_booking(
        world.units, request, platform_fee_percent=FEE, max_hours=MAX_HOURS
    )
    booking = await world.book(request)

    assert quote.price == booking.price
    assert quote.price.add_ons_minor == 5_000 + 1_000


async def test_the_same_key_with_other_add_ons_is_another_request() -> None:
    world = world_selling(CABLES)
    await world.book(replace(world.request(), add_ons={CABLES.add_on_id: 2}), key="k")

    again = await world.book(replace(world.request(), add_ons={CABLES.add_on_id: 2}), key="k")
    with pytest.raises(IdempotencyKeyReused):
        await world.book(replace(world.request(), add_ons={CABLES.add_on_id: 3}), key="k")

    assert len(world.units.tables.bookings) == 1
    assert again.price.add_ons_minor == 600
