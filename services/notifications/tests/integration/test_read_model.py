"""The read model on PostgreSQL: what an email about a booking names, found in one query
whatever is known, and the events that waited for a booking handed back once it is saved."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from contracts import Envelope
from contracts.payments import PaymentCaptured
from contracts.values import Money
from notifications.db.unit import SqlNotificationsUnits
from notifications.domain.notices import BookingStatus
from notifications.domain.read_models import Booking

from ..conftest import Notifications, seed

pytestmark = pytest.mark.integration


async def test_the_studio_and_people_of_a_booking_come_back_each_if_known(
    notifications: Notifications,
) -> None:
    scene = await seed(notifications)
    nobody, nowhere = uuid.uuid4(), uuid.uuid4()

    async with SqlNotificationsUnits(notifications.runtime.units).begin() as unit:
        known = await unit.read_model.studio_and_people(
            scene.studio_id, scene.booker.id, scene.owner.id
        )
        no_booker = await unit.read_model.studio_and_people(scene.studio_id, nobody, scene.owner.id)
        no_studio = await unit.read_model.studio_and_people(
            nowhere, scene.booker.id, scene.owner.id
        )
        nothing = await unit.read_model.studio_and_people(nowhere, nobody, nobody)

    studio, booker, owner = known
    assert studio is not None
    assert studio.name == "Kreuzberg Sound Lab"
    assert studio.rooms == {scene.room_id: "Live Room"}
    assert studio.owner_id == scene.owner.id
    assert (booker, owner) == (scene.booker, scene.owner)
    assert no_booker == (studio, None, scene.owner)
    assert no_studio == (None, scene.booker, scene.owner)
    assert nothing == (None, None, None)


async def test_the_events_that_waited_for_a_booking_come_back_once_when_it_is_saved(
    notifications: Notifications,
) -> None:
    scene = await seed(notifications)
    starts = datetime.now(UTC) + timedelta(days=30)
    booking = Booking(
        id=uuid.uuid4(),
        booker_id=scene.booker.id,
        owner_id=scene.owner.id,
        studio_id=scene.studio_id,
        room_id=scene.room_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=BookingStatus.CONFIRMED,
    )
    first, second = (_captured(booking.id, minutes_ago) for minutes_ago in (2, 1))
    units = SqlNotificationsUnits(notifications.runtime.units)
    async with units.begin() as unit:
        for envelope in (second, first, second):  # a redelivery waits once
            await unit.read_model.wait_for_booking(booking.id, envelope)

    async with units.begin() as unit:
        waited = await unit.read_model.save_booking(booking)
    async with units.begin() as unit:
        again = await unit.read_model.save_booking(replace(booking, status=BookingStatus.CANCELLED))
        kept = await unit.read_model.booking(booking.id)

    assert waited == [first, second]  # oldest first
    assert again == []
    assert kept == replace(booking, status=BookingStatus.CANCELLED)


def _captured(booking_id: uuid.UUID, minutes_ago: int) -> Envelope:
    captured_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    captured = PaymentCaptured(
        booking_id=booking_id,
        payment_id=uuid.uuid4(),
        amount=Money(amount_minor=9000, currency="EUR"),
        platform_fee=Money(amount_minor=900, currency="EUR"),
        captured_at=captured_at,
    )
    return Envelope.wrap(captured).model_copy(update={"occurred_at": captured_at})
