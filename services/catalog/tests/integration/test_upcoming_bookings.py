"""A room with confirmed bookings to come stays, and so does its studio's time zone.

Catalog learns the bookings from booking's events on the real bus; the refusal is a 409
problem listing the bookings the change would break.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
    BookingRescheduled,
    CancellationReason,
    CancelledBy,
    FailureReason,
)
from contracts.envelope import Message
from contracts.values import Money, TimeRange
from service_runtime.bus import Bus
from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, deliver, published_studio

EUR_90 = Money(amount_minor=9000, currency="EUR")


def confirmed(studio: dict[str, Any], room_id: str, *, starts_in: timedelta) -> BookingConfirmed:
    starts = datetime.now(UTC).replace(microsecond=0) + starts_in
    return BookingConfirmed(
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.UUID(studio["owner_id"]),
        studio_id=uuid.UUID(studio["id"]),
        room_id=uuid.UUID(room_id),
        time_range=TimeRange(starts_at=starts, ends_at=starts + timedelta(hours=2)),
        price=EUR_90,
        confirmed_at=datetime.now(UTC),
    )


def _same_booking(booking: BookingConfirmed) -> dict[str, Any]:
    return booking.model_dump(
        include={"booking_id", "booker_id", "owner_id", "studio_id", "room_id", "time_range"}
    )


def cancelled(booking: BookingConfirmed) -> Message:
    return BookingCancelled(
        **_same_booking(booking),
        cancelled_by=CancelledBy.BOOKER,
        reason=CancellationReason.REQUESTED,
        refund=EUR_90,
        cancelled_at=datetime.now(UTC),
    )


def completed(booking: BookingConfirmed) -> Message:
    return BookingCompleted(**_same_booking(booking), completed_at=datetime.now(UTC))


def failed(booking: BookingConfirmed) -> Message:
    return BookingFailed(
        **_same_booking(booking),
        reason=FailureReason.SLOTS_LOST,
        failed_at=datetime.now(UTC),
    )


def no_show(booking: BookingConfirmed) -> Message:
    return BookingNoShow(
        **_same_booking(booking), reported_by=booking.owner_id, reported_at=datetime.now(UTC)
    )


async def two_room_studio(catalog: Catalog, owner: dict[str, str]) -> dict[str, Any]:
    return await published_studio(
        catalog.client,
        owner,
        rooms=[{"name": "Live Room", "capacity": 8}, {"name": "Booth", "capacity": 2}],
    )


def change_timezone(catalog: Catalog, studio: dict[str, Any], owner: dict[str, str]) -> Any:
    return catalog.client.patch(
        f"/api/studios/{studio['id']}",
        json={"timezone": "Europe/Lisbon", "version": studio["version"]},
        headers=owner,
    )


def listed(booking: BookingConfirmed) -> dict[str, str]:
    return {
        "booking_id": str(booking.booking_id),
        "room_id": str(booking.room_id),
        "starts_at": booking.time_range.starts_at.isoformat(),
        "ends_at": booking.time_range.ends_at.isoformat(),
    }


async def test_a_room_with_upcoming_bookings_is_not_deleted_and_the_time_zone_stays(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    admin = token_issuer.headers("admin", uuid.uuid4())
    studio = await two_room_studio(catalog, owner)
    live_room, booth = (room["id"] for room in studio["rooms"])
    tomorrow = confirmed(studio, live_room, starts_in=timedelta(days=1))
    next_week = confirmed(studio, live_room, starts_in=timedelta(days=7))
    for booking in (next_week, tomorrow):
        await deliver(booking_service, catalog, booking)
    room_path = f"/api/studios/{studio['id']}/rooms"

    delete_booked = await catalog.client.delete(f"{room_path}/{live_room}", headers=owner)
    admin_delete_booked = await catalog.client.delete(f"{room_path}/{live_room}", headers=admin)
    new_timezone = await change_timezone(catalog, studio, owner)
    delete_free = await catalog.client.delete(f"{room_path}/{booth}", headers=owner)

    for refused in (delete_booked, admin_delete_booked, new_timezone):
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["bookings"] == [listed(tomorrow), listed(next_week)]
    assert "time zone" in new_timezone.json()["detail"]
    assert delete_free.status_code == 200
    after = (await catalog.client.get(f"/api/studios/{studio['id']}")).json()
    assert ([room["id"] for room in after["rooms"]], after["timezone"]) == (
        [live_room],
        "Europe/Berlin",
    )


@pytest.mark.parametrize("ending", [cancelled, completed, failed, no_show])
async def test_once_its_bookings_have_ended_the_room_goes_and_the_time_zone_moves(
    catalog: Catalog,
    token_issuer: TestIssuer,
    booking_service: Bus,
    ending: Callable[[BookingConfirmed], Message],
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await two_room_studio(catalog, owner)
    booth = studio["rooms"][1]["id"]
    booking = confirmed(studio, booth, starts_in=timedelta(days=3))
    await deliver(booking_service, catalog, booking)
    await deliver(booking_service, catalog, ending(booking))
    # A confirmation redelivered after the booking's end does not bring it back.
    await deliver(booking_service, catalog, booking.model_copy())

    new_timezone = await change_timezone(catalog, studio, owner)
    deleted = await catalog.client.delete(
        f"/api/studios/{studio['id']}/rooms/{booth}", headers=owner
    )

    assert new_timezone.status_code == 200, new_timezone.text
    assert deleted.status_code == 200, deleted.text


async def test_past_bookings_and_an_end_heard_before_its_confirmation_do_not_hold_a_room(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await two_room_studio(catalog, owner)
    live_room, booth = (room["id"] for room in studio["rooms"])
    yesterday = confirmed(studio, live_room, starts_in=-timedelta(days=1))
    cancelled_early = confirmed(studio, booth, starts_in=timedelta(days=2))
    await deliver(booking_service, catalog, yesterday)
    await deliver(booking_service, catalog, cancelled(cancelled_early))
    await deliver(booking_service, catalog, cancelled_early)

    new_timezone = await change_timezone(catalog, studio, owner)
    room_path = f"/api/studios/{studio['id']}/rooms"
    deleted = [
        await catalog.client.delete(f"{room_path}/{room}", headers=owner)
        for room in (booth, live_room)
    ]

    assert new_timezone.status_code == 200, new_timezone.text
    # The last room of a published studio stays for its own reason, not for a past booking.
    assert [response.status_code for response in deleted] == [200, 422]


async def test_a_rescheduled_booking_guards_its_new_room_and_frees_the_old(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await two_room_studio(catalog, owner)
    live_room, booth = (room["id"] for room in studio["rooms"])
    booking = confirmed(studio, booth, starts_in=timedelta(days=3))
    later = TimeRange(
        starts_at=booking.time_range.starts_at + timedelta(days=1),
        ends_at=booking.time_range.ends_at + timedelta(days=1),
    )
    moved = BookingRescheduled(
        **(_same_booking(booking) | {"room_id": uuid.UUID(live_room), "time_range": later}),
        previous_room_id=booking.room_id,
        previous_time_range=booking.time_range,
        requested_by=booking.booker_id,
        rescheduled_at=datetime.now(UTC),
    )
    await deliver(booking_service, catalog, booking)
    await deliver(booking_service, catalog, moved)
    room_path = f"/api/studios/{studio['id']}/rooms"

    delete_live = await catalog.client.delete(f"{room_path}/{live_room}", headers=owner)
    delete_booth = await catalog.client.delete(f"{room_path}/{booth}", headers=owner)

    assert delete_live.status_code == 409
    assert delete_live.json()["bookings"] == [
        {
            "booking_id": str(booking.booking_id),
            "room_id": live_room,
            "starts_at": later.starts_at.isoformat(),
            "ends_at": later.ends_at.isoformat(),
        }
    ]
    assert delete_booth.status_code == 200, delete_booth.text
