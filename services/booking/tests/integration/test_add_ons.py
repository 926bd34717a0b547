"""Add-ons through HTTP, the bus and PostgreSQL: booking learns what a studio sells from
catalog's event, the quote and the booking price them alike, and payments is asked for the
whole."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

import httpx
import pytest

from booking.db.studios import SqlStudios
from contracts.catalog import AddOnPricing, AddOnSnapshot, StudioUpdated
from contracts.payments import AuthorizePayment
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, booking_body, studio_event

pytestmark = pytest.mark.integration

ENGINEER = AddOnSnapshot(
    add_on_id=uuid.uuid4(), name="Engineer", pricing=AddOnPricing.PER_HOUR, price_minor=2500
)
CABLES = AddOnSnapshot(
    add_on_id=uuid.uuid4(),
    name="Cable",
    pricing=AddOnPricing.PER_ITEM,
    price_minor=300,
    max_quantity=10,
)
CLEANING = AddOnSnapshot(
    add_on_id=uuid.uuid4(),
    name="Cleaning",
    pricing=AddOnPricing.PER_BOOKING,
    price_minor=1000,
    required=True,
)


async def _selling(booking: BookingService, probe: Probe, studio: Studio) -> None:
    """Catalog's next event about the studio lists its add-ons; wait until booking has it."""
    add_ons = [ENGINEER, CABLES, CLEANING]
    await probe.publish(studio_event(StudioUpdated, studio, revision=2, add_ons=add_ons))
    assert booking.runtime is not None
    units = booking.runtime.units

    async def known() -> bool:
        async with units.begin() as unit:
            stored = await SqlStudios(unit.session).get(studio.studio_id)
        return stored is not None and len(stored.add_ons) == len(add_ons)

    await eventually(known)


async def test_both_quotes_and_the_booking_price_add_ons_alike_and_payments_is_asked_for_the_whole(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    await _selling(booking, probe, studio)
    body = booking_body(studio, days_ahead=12, hours=3)

    quote = await booking.http.get(
        "/api/bookings/quote",
        params={**body, "add_on": [str(ENGINEER.add_on_id), f"{CABLES.add_on_id}:4"]},
    )
    chosen = [
        {"add_on_id": str(ENGINEER.add_on_id)},
        {"add_on_id": str(CABLES.add_on_id), "quantity": 4},
    ]
    posted = await booking.http.post("/api/bookings/quote", json={**body, "add_ons": chosen})
    made = await booking.http.post(
        "/api/bookings", json={**body, "add_ons": chosen}, headers=token_issuer.headers("booker")
    )

    assert quote.status_code == 200, quote.text
    assert made.status_code == 201, made.text
    shown = quote.json()
    assert shown["price"] == made.json()["price"] == posted.json()["price"]
    assert shown["lines"] == posted.json()["lines"]
    assert [
        (line["kind"], line["description"], line["amount_minor"]) for line in shown["lines"]
    ] == [
        ("rental", "Live room, 3 h", 15_000),
        ("add_on", "Engineer, 3 h", 7_500),
        ("add_on", "4 x Cable", 1_200),
        ("add_on", "Cleaning", 1_000),
        ("platform_fee", "Platform fee (10 %)", 2_470),
    ]
    assert (shown["subtotal_minor"], shown["total_minor"]) == (24_700, 27_170)
    booking_id = uuid.UUID(made.json()["id"])

    async def asked_to_pay() -> bool:
        return bool(probe.sent(booking_id, AuthorizePayment))

    await eventually(asked_to_pay)
    [asked] = probe.sent(booking_id, AuthorizePayment)
    assert (asked.amount.amount_minor, asked.platform_fee.amount_minor) == (27_170, 2_470)


async def test_add_ons_the_studio_does_not_sell_or_chosen_badly_are_refused_naming_the_field(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    await _selling(booking, probe, studio)
    body = booking_body(studio, days_ahead=13)
    booker = token_issuer.headers("booker")

    def post(*chosen: dict[str, object]) -> Awaitable[httpx.Response]:
        return booking.http.post(
            "/api/bookings", json={**body, "add_ons": list(chosen)}, headers=booker
        )

    unknown = await post({"add_on_id": str(uuid.uuid4())})
    too_many = await post({"add_on_id": str(CABLES.add_on_id), "quantity": 11})
    twice = await post({"add_on_id": str(CABLES.add_on_id)}, {"add_on_id": str(CABLES.add_on_id)})
    absurd = await post({"add_on_id": str(CABLES.add_on_id), "quantity": 10_000})
    garbled = await booking.http.get("/api/bookings/quote", params={**body, "add_on": "-" * 36})
    quantity = await booking.http.get(
        "/api/bookings/quote", params={**body, "add_on": f"{CABLES.add_on_id}:x"}
    )

    answers = {
        "unknown": unknown, "too_many": too_many, "twice": twice, "absurd": absurd,
        "garbled": garbled, "quantity": quantity,
    }  # fmt: skip
    fields = {
        name: (answer.status_code, [e["field"] for e in answer.json()["errors"]])
        for name, answer in answers.items()
    }
    assert fields == {
        "unknown": (422, ["add_ons"]),
        "too_many": (422, ["add_ons"]),
        "twice": (422, ["body.add_ons"]),
        "absurd": (422, ["body.add_ons.0.quantity"]),
        "garbled": (422, ["add_on"]),
        "quantity": (422, ["add_on"]),
    }
    assert "sold up to 10" in too_many.json()["detail"]
    mine = await booking.http.get("/api/bookings", headers=booker)
    assert mine.json()["total"] == 0
