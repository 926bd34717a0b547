"""Rescheduling across the whole system: the studio's owner proposes another day and room for a
confirmed booking and its booker agrees through the gateway (availability books the new time
and frees the old in one step, both sides get an email, the booker's calendar invitation
moves); a booker moves a booking in the browser, and to a longer time paying the difference
there (a payment of its own: both voided on cancelling), or through the API after the money
was taken (the difference captured too, a cancellation refunds both); a move races another
booker for the same slot and exactly one of them gets it; a move races its own cancellation
and nothing stays held. The invariants (a confirmed booking is booked where it says, and paid
its price) hold after each."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from playwright.async_api import expect
from psycopg.rows import dict_row

from scripts.client import Account, Studio, until, whole_hour
from tests.fixtures.mail import MailSink
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World

PASSWORD = "a long enough password"


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def _confirmed(
    world: World, booker: Account, studio: Studio, starts_at: datetime, room: int = 0
) -> dict[str, Any]:
    booking = await world.book(booker, studio, starts_at, hours=2, room=room)
    await world.pay(booking)
    confirmed: dict[str, Any] = await world.until_status(booker, booking["id"], "confirmed")
    return confirmed


async def _is_free(world: World, studio: Studio, room: int, starts_at: datetime) -> bool:
    free = await world.http.get(
        f"{world.gateway}/api/availability",
        params={
            "studio_id": str(studio.id), "room_id": str(studio.rooms[room]),
            "from": starts_at.isoformat(), "to": (starts_at + timedelta(hours=2)).isoformat(),
            "duration_minutes": "120",
        },
    )  # fmt: skip
    assert free.status_code == 200, free.text
    return any(
        datetime.fromisoformat(slot["starts_at"]) == starts_at for slot in free.json()["slots"]
    )


async def test_the_owner_proposes_another_day_and_room_the_booker_agrees_and_both_are_told(
    world: World, mail_sink: MailSink
) -> None:
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    owner = await world.sign_up_or_in(owner_email, PASSWORD, "owner")
    booker_email = f"booker-{uuid.uuid4().hex[:8]}@example.com"
    booker = await world.sign_up_or_in(booker_email, PASSWORD, "booker")
    studio = await world.published_studio(owner, rooms=2)
    first_at, later_at = whole_hour(days=3, hour=10), whole_hour(days=4, hour=14)
    booking = await _confirmed(world, booker, studio, first_at)

    proposed = await world.reschedule(owner, booking["id"], later_at, 2, str(studio.rooms[1]))
    by_owner = await world.act(owner, booking["id"], "accept_move")
    moved = await world.act(booker, booking["id"], "accept_move")

    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["move"]["answer_by"] is not None  # nothing moves before the booker
    assert datetime.fromisoformat(proposed.json()["starts_at"]) == first_at
    assert by_owner.status_code == 403
    assert moved.status_code == 200, moved.text
    seen = await world.booking(booker, booking["id"])
    assert (seen["status"], seen["room_id"], seen["move"]) == (
        "confirmed",
        str(studio.rooms[1]),
        None,
    )
    assert datetime.fromisoformat(seen["starts_at"]) == later_at
    assert seen["price"] == booking["price"]  # paid once
    assert await world.payment_row(booking["id"], "authorized") or await world.payment_row(
        booking["id"], "captured"
    )
    assert await _is_free(world, studio, 0, first_at)  # the old time is free again
    assert not await _is_free(world, studio, 1, later_at)

    async def told() -> list[str]:
        subjects = [m.subject for m in mail_sink.to(booker_email) + mail_sink.to(owner_email)]
        moved_subjects = [s for s in subjects if s.startswith("Booking moved")]
        return moved_subjects if len(moved_subjects) == 2 else []

    await until(told, what="both sides to hear of the move")
    [to_booker] = [m for m in mail_sink.to(booker_email) if m.subject.startswith("Booking moved")]
    [ics] = to_booker.attachments("text/calendar")
    assert f"UID:booking-{booking['id']}@onetime.studio" in ics
    assert "METHOD:REQUEST" in ics


async def test_a_move_and_another_booker_race_for_one_slot_and_exactly_one_gets_it(
    world: World,
) -> None:
    owner, mover = await world.account("owner"), await world.account("booker")
    rival = await world.account("booker")
    studio = await world.published_studio(owner)
    contested = whole_hour(days=7, hour=16)
    booking = await _confirmed(world, mover, studio, whole_hour(days=7, hour=9))

    move, rival_request = await asyncio.gather(
        world.reschedule(mover, booking["id"], contested, 2, str(studio.rooms[0])),
        world.request_booking(rival, studio, contested, hours=2),
    )
    rival_outcome = await world.outcome(rival, rival_request)

    assert move.status_code in (200, 409), move.text
    moved = move.status_code == 200
    assert rival_outcome == ("refused" if moved else "pending_payment")
    seen = await world.booking(mover, booking["id"])
    expected_start = contested if moved else datetime.fromisoformat(booking["starts_at"])
    assert datetime.fromisoformat(seen["starts_at"]) == expected_start
    assert seen["status"] == "confirmed"
    if not moved:
        assert "not available" in seen["move_failure"]


async def test_a_move_racing_its_own_cancellation_leaves_nothing_held(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await _confirmed(world, booker, studio, whole_hour(days=8, hour=9))
    later = whole_hour(days=8, hour=15)

    move, cancel = await asyncio.gather(
        world.reschedule(booker, booking["id"], later, 2, str(studio.rooms[0])),
        world.act(booker, booking["id"], "cancel"),
    )

    assert move.status_code in (200, 202, 409), move.text
    assert cancel.status_code in (200, 409), cancel.text
    if cancel.status_code == 409:  # it came during the move's one transaction: cancel again
        cancel = await world.act(booker, booking["id"], "cancel")
    assert cancel.status_code == 200, cancel.text
    ended = await world.until_status(booker, booking["id"], "cancelled")
    assert ended["refund_minor"] == ended["price"]["total_minor"]  # flexible, days ahead

    async def both_free() -> bool:
        return await _is_free(world, studio, 0, later) and await _is_free(
            world, studio, 0, whole_hour(days=8, hour=9)
        )

    await until(both_free, what="both times free again")


async def test_a_booker_changes_the_time_in_the_browser(world: World, visitor: Visitor) -> None:
    owner = await world.account("owner")
    email = f"booker-{uuid.uuid4().hex[:8]}@example.com"
    booker = await world.sign_up_or_in(email, PASSWORD, "booker")
    studio = await world.published_studio(owner)
    booking = await _confirmed(world, booker, studio, whole_hour(days=3, hour=10))
    next_day = datetime.fromisoformat(booking["local_starts_at"]).date() + timedelta(days=1)
    await visitor.sign_in(email, PASSWORD)
    page = visitor.page

    await visitor.go(f"/bookings/{booking['id']}")
    await page.get_by_role("link", name="Change the time").click()
    await page.get_by_role("textbox", name="Day").fill(next_day.isoformat())
    await page.get_by_role("button", name="Show free times").click()
    await expect(page.get_by_role("button", name="Move to 14:00")).to_be_visible()
    await visitor.look("change the time")
    await page.get_by_role("button", name="Move to 14:00").click()

    await expect(page.get_by_role("status").first).to_contain_text("The booking has moved to")
    await visitor.look("moved")
    seen = await world.booking(booker, booking["id"])
    local = datetime.fromisoformat(seen["local_starts_at"])
    assert (local.date(), local.hour, seen["status"]) == (next_day, 14, "confirmed")


async def _payments_of(world: World, booking_id: str) -> list[dict[str, Any]]:
    """Payments' own rows for the booking, its first payment first."""

    def read() -> list[dict[str, Any]]:
        url = world.layout.database_urls["payments"].replace("+psycopg", "")
        with psycopg.connect(url, row_factory=dict_row) as connection:
            return connection.execute(
                "SELECT move_id, status, amount_minor, captured_minor, refunded_minor"
                " FROM payments WHERE booking_id = %s ORDER BY move_id NULLS FIRST",
                (booking_id,),
            ).fetchall()

    return await asyncio.to_thread(read)


async def test_a_booker_moves_to_a_longer_time_and_pays_the_difference_in_the_browser(
    world: World, visitor: Visitor
) -> None:
    owner = await world.account("owner")
    email = f"booker-{uuid.uuid4().hex[:8]}@example.com"
    booker = await world.sign_up_or_in(email, PASSWORD, "booker")
    studio = await world.published_studio(owner)
    booking = await _confirmed(world, booker, studio, whole_hour(days=3, hour=10))
    next_day = datetime.fromisoformat(booking["local_starts_at"]).date() + timedelta(days=1)
    await visitor.sign_in(email, PASSWORD)
    page = visitor.page

    await visitor.go(f"/bookings/{booking['id']}/move")
    await page.get_by_role("textbox", name="Day").fill(next_day.isoformat())
    await page.get_by_label("Hours").select_option("3")
    await page.get_by_role("button", name="Show free times").click()
    await page.get_by_role("button", name="Move to 14:00").click()
    await expect(page.get_by_role("heading", name="Pay the difference")).to_be_visible()
    await visitor.look("pay the difference")
    waiting = await world.booking(booker, booking["id"])
    assert datetime.fromisoformat(waiting["starts_at"]) == datetime.fromisoformat(
        booking["starts_at"]
    )  # nothing moves before the difference is paid
    due = waiting["move"]["amount_due_minor"]
    assert due == booking["price"]["total_minor"] // 2  # 3 hours for 2: half as much again
    await visitor.pay("4242 4242 4242 4242")

    async def moved() -> dict[str, Any] | None:
        seen = await world.booking(booker, booking["id"])
        return seen if seen["move"] is None and seen["price"]["hours"] == 3 else None

    seen = await until(moved, what="the booking to move once the difference is paid")
    # the page shows the new time without a reload: it follows the move
    await expect(page.get_by_text("14:00 to 17:00")).to_be_visible()
    await visitor.look("moved after paying")
    local = datetime.fromisoformat(seen["local_starts_at"])
    assert (local.date(), local.hour, seen["status"]) == (next_day, 14, "confirmed")
    assert seen["price"]["total_minor"] == booking["price"]["total_minor"] + due
    first, difference = await _payments_of(world, booking["id"])
    assert (first["move_id"], first["status"], first["amount_minor"]) == (
        None,
        "authorized",
        booking["price"]["total_minor"],
    )
    assert (difference["status"], difference["amount_minor"]) == ("authorized", due)

    cancelled = await world.act(booker, booking["id"], "cancel")  # both authorizations go back
    assert cancelled.status_code == 200, cancelled.text

    async def both_voided() -> bool:
        return [p["status"] for p in await _payments_of(world, booking["id"])] == ["voided"] * 2

    await until(both_voided, what="both payments voided")


async def test_a_dearer_move_after_the_money_was_taken_charges_the_difference_once(
    world: World,
) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await _confirmed(world, booker, studio, whole_hour(days=12, hour=10))  # captured
    total = booking["price"]["total_minor"]

    asked = await world.reschedule(
        booker, booking["id"], whole_hour(days=13, hour=10), 3, str(studio.rooms[0])
    )
    again = await world.reschedule(
        booker, booking["id"], whole_hour(days=13, hour=16), 3, str(studio.rooms[0])
    )

    assert asked.status_code == 202, asked.text
    move = asked.json()["move"]
    assert move["amount_due_minor"] == total // 2
    assert again.status_code == 409  # one move at a time
    assert (await world.pay({"client_secret": move["client_secret"]})).status_code == 200

    async def moved() -> dict[str, Any] | None:
        seen = await world.booking(booker, booking["id"])
        return seen if seen["move"] is None and seen["price"]["hours"] == 3 else None

    await until(moved, what="the booking to move once the difference is paid")

    async def both_captured() -> list[dict[str, Any]]:
        payments = await _payments_of(world, booking["id"])
        return payments if [p["status"] for p in payments] == ["captured"] * 2 else []

    first, difference = await until(both_captured, what="the difference taken too")
    assert (first["captured_minor"], difference["captured_minor"]) == (total, total // 2)

    cancelled = await world.act(booker, booking["id"], "cancel")
    assert cancelled.status_code == 200, cancelled.text
    refund = cancelled.json()["refund_minor"]
    assert refund == total + total // 2  # flexible policy, days ahead: everything back

    async def refunded() -> list[dict[str, Any]]:
        payments = await _payments_of(world, booking["id"])
        return payments if sum(p["refunded_minor"] for p in payments) == refund else []

    first, difference = await until(refunded, what="the refund over both payments")
    assert (first["refunded_minor"], difference["refunded_minor"]) == (total, total // 2)
