"""The read model on PostgreSQL: what an email about a booking names, found in one query
whatever is known, and a booking made known once without overwriting a later status."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

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


async def test_a_booking_added_when_already_known_keeps_its_status(
    notifications: Notifications,
) -> None:
    scene = await seed(notifications)
    starts = datetime.now(UTC) + timedelta(days=3)
    confirmed = Booking(
        id=uuid.uuid4(),
        booker_id=scene.booker.id,
        owner_id=scene.owner.id,
        studio_id=scene.studio_id,
        room_id=scene.room_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=BookingStatus.CONFIRMED,
    )
    units = SqlNotificationsUnits(notifications.runtime.units)
    async with units.begin() as unit:
        await unit.read_model.save_booking(confirmed)

    async with units.begin() as unit:
        await unit.read_model.add_booking(replace(confirmed, status=BookingStatus.REQUESTED))
        kept = await unit.read_model.booking(confirmed.id)

    assert kept == confirmed
