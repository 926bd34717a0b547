"""What the pages show before and after committing: the quote equals the booking's charge, the
cancellation preview equals the cancellation's refund, and a person's bookings come sorted into
upcoming / past / cancelled with the studio's and room's names and local times."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from booking.db import tables
from booking.db.studios import SqlStudios
from contracts.catalog import StudioStatus, StudioUnlisted
from contracts.values import CancellationPolicy
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import (
    BookingService,
    Probe,
    Studio,
    authorize,
    booking_body,
    confirm_slots,
    publish_studio,
    studio_event,
)

pytestmark = pytest.mark.integration

BERLIN = ZoneInfo("Europe/Berlin")


def _fields(response_json: dict) -> list[str]:  # type: ignore[type-arg]
    return [error["field"] for error in response_json.get("errors", [])]


def _soon(hours_ahead: int, hours: int, studio: Studio) -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(hours=hours_ahead)).replace(
        minute=0, second=0, microsecond=0
    )
    return {
        "studio_id": str(studio.studio_id),
        "room_id": str(studio.room_id),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


async def _confirmed(
    booking: BookingService, probe: Probe, token_issuer: TestIssuer, body: dict[str, str]
) -> tuple[uuid.UUID, uuid.UUID]:
    booker = uuid.uuid4()
    made = await booking.http.post(
        "/api/bookings", json=body, headers=token_issuer.headers("booker", booker)
    )
    assert made.status_code == 201, made.text
    booking_id = uuid.UUID(made.json()["id"])
    await authorize(probe, booking_id)
    await confirm_slots(booking, probe, booking_id)
    return booker, booking_id


async def test_a_quote_is_what_the_booking_then_charges(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    body = booking_body(studio, days_ahead=10, hours=3)

    quote = await booking.http.get("/api/bookings/quote", params=body)  # no token: public
    made = await booking.http.post(
        "/api/bookings", json=body, headers=token_issuer.headers("booker")
    )

    assert quote.status_code == 200, quote.text
    assert made.status_code == 201, made.text
    shown = quote.json()
    assert shown["price"] == made.json()["price"]
    assert [(line["kind"], line["amount_minor"]) for line in shown["lines"]] == [
        ("rental", 15000),
        ("platform_fee", 1500),
    ]
    assert (shown["lines"][0]["quantity"], shown["lines"][0]["unit_amount_minor"]) == (3, 5000)
    assert shown["free"] is None  # availability is not running here: the price still comes
    assert (shown["subtotal_minor"], shown["total_minor"], shown["currency"]) == (
        15000,
        16500,
        "EUR",
    )
    starts_at = datetime.fromisoformat(body["starts_at"])
    assert (shown["studio_name"], shown["room_name"], shown["studio_timezone"]) == (
        "Blue Room Studios",
        "Live room",
        "Europe/Berlin",
    )
    assert datetime.fromisoformat(shown["local_starts_at"]).utcoffset() == (
        starts_at.astimezone(BERLIN).utcoffset()
    )
    terms = shown["cancellation"]
    assert terms["policy"] == "flexible"
    assert terms["steps"] == [
        {"min_notice_hours": 24, "percent": 100},
        {"min_notice_hours": 0, "percent": 50},
    ]
    assert datetime.fromisoformat(terms["full_refund_until"]) == starts_at - timedelta(hours=24)


async def test_a_booking_counts_its_people_up_to_the_rooms_capacity(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    body = booking_body(studio, days_ahead=11, hours=2)  # the room holds 4
    booker = token_issuer.headers("booker")

    quoted = await booking.http.get("/api/bookings/quote", params={**body, "attendees": "4"})
    crowd = await booking.http.post("/api/bookings", json={**body, "attendees": 5}, headers=booker)
    nobody = await booking.http.post("/api/bookings", json={**body, "attendees": 0}, headers=booker)
    made = await booking.http.post("/api/bookings", json={**body, "attendees": 4}, headers=booker)

    assert quoted.status_code == 200, quoted.text
    assert quoted.json()["attendees"] == 4
    assert (crowd.status_code, _fields(crowd.json())) == (422, ["attendees"])
    assert "at most 4 people" in crowd.json()["detail"]
    assert (nobody.status_code, _fields(nobody.json())) == (422, ["body.attendees"])
    assert made.status_code == 201, made.text
    shown = await booking.http.get(f"/api/bookings/{made.json()['id']}", headers=booker)
    assert shown.json()["attendees"] == 4


async def test_a_quote_refuses_bad_times_naming_the_field(
    booking: BookingService, studio: Studio
) -> None:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    future = now + timedelta(days=3)

    def times(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
        return {
            **booking_body(studio),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        }

    cases = {
        "past": times(now - timedelta(hours=2), now - timedelta(hours=1)),
        "backwards": times(future, future - timedelta(hours=1)),
        "too long": times(future, future + timedelta(hours=25)),
        "half hours": times(future, future + timedelta(minutes=90)),
    }
    answers = {
        name: await booking.http.get("/api/bookings/quote", params=params)
        for name, params in cases.items()
    }
    missing = await booking.http.get(
        "/api/bookings/quote", params={"studio_id": str(studio.studio_id)}
    )
    absurd = await booking.http.get(
        "/api/bookings/quote",
        params={**booking_body(studio), "starts_at": "9999-01-01T10:00:00Z"},
    )

    assert {name: (a.status_code, _fields(a.json())) for name, a in answers.items()} == {
        "past": (422, ["starts_at"]),
        "backwards": (422, ["ends_at"]),
        "too long": (422, ["ends_at"]),
        "half hours": (422, ["ends_at"]),
    }
    assert "at most 24 hours" in answers["too long"].json()["detail"]
    assert missing.status_code == 422
    assert set(_fields(missing.json())) == {"query.room_id", "query.starts_at", "query.ends_at"}
    assert (absurd.status_code, _fields(absurd.json())) == (422, ["query.starts_at"])


async def test_a_quote_for_an_unknown_studio_or_room_is_404_and_an_unlisted_studio_409(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    unknown_studio = {**booking_body(studio), "studio_id": str(uuid.uuid4())}
    unknown_room = {**booking_body(studio), "room_id": str(uuid.uuid4())}
    unlisted = await publish_studio(booking, probe)
    unlisting = studio_event(StudioUnlisted, unlisted, revision=2)
    await probe.publish(unlisting.model_copy(update={"status": StudioStatus.UNLISTED}))

    async def unlisted_known() -> bool:
        assert booking.runtime is not None
        async with booking.runtime.units.begin() as uow:
            found = await SqlStudios(uow.session).get(unlisted.studio_id)
        return found is not None and found.revision == 2

    await eventually(unlisted_known)

    no_studio = await booking.http.get("/api/bookings/quote", params=unknown_studio)
    no_room = await booking.http.get("/api/bookings/quote", params=unknown_room)
    closed = await booking.http.get("/api/bookings/quote", params=booking_body(unlisted))
    closed_booking = await booking.http.post(
        "/api/bookings", json=booking_body(unlisted), headers=token_issuer.headers("booker")
    )

    assert no_studio.status_code == 404
    assert "not known" in no_studio.json()["detail"]
    assert no_room.status_code == 404
    assert "no room" in no_room.json()["detail"]
    assert closed.status_code == 409
    assert "unlisted" in closed.json()["detail"]
    assert closed_booking.status_code == 409  # creating refuses as the quote does
    for answer in (no_studio, no_room, closed):
        assert answer.headers["content-type"] == "application/problem+json"


async def test_the_cancellation_preview_gives_what_the_cancellation_then_refunds(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    # Less than 24 h ahead under the flexible policy: half back, the grace period does not help.
    booker, booking_id = await _confirmed(booking, probe, token_issuer, _soon(4, 2, studio))
    url = f"/api/bookings/{booking_id}"
    as_booker = token_issuer.headers("booker", booker)

    preview = await booking.http.get(f"{url}/cancellation", headers=as_booker)
    cancelled = await booking.http.patch(url, json={"action": "cancel"}, headers=as_booker)
    afterwards = await booking.http.get(f"{url}/cancellation", headers=as_booker)

    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert (shown["cancellable"], shown["cancelled_by"], shown["policy"]) == (
        True,
        "booker",
        "flexible",
    )
    assert (shown["charged_minor"], shown["refund_minor"], shown["kept_minor"]) == (
        11000,
        5500,
        5500,
    )
    assert shown["rule"] == {"kind": "notice", "percent": 50, "min_notice_hours": 0}
    assert shown["full_refund_until"] is None  # 24 h before the start has passed
    assert cancelled.json()["refund_minor"] == shown["refund_minor"]
    assert afterwards.status_code == 200
    assert (afterwards.json()["cancellable"], afterwards.json()["status"]) == (False, "cancelled")
    assert "cancelled" in afterwards.json()["refusal"]


async def test_only_the_parties_see_a_cancellation_preview(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    _, booking_id = await _confirmed(
        booking, probe, token_issuer, booking_body(studio, days_ahead=20)
    )
    url = f"/api/bookings/{booking_id}/cancellation"

    anonymous = await booking.http.get(url)
    stranger = await booking.http.get(url, headers=token_issuer.headers("booker"))
    other_owner = await booking.http.get(url, headers=token_issuer.headers("owner"))
    owner = await booking.http.get(url, headers=token_issuer.headers("owner", studio.owner_id))
    admin = await booking.http.get(url, headers=token_issuer.headers("admin"))
    unknown = await booking.http.get(
        f"/api/bookings/{uuid.uuid4()}/cancellation", headers=token_issuer.headers("admin")
    )

    assert (anonymous.status_code, stranger.status_code, other_owner.status_code) == (
        401,
        403,
        403,
    )
    assert unknown.status_code == 404
    assert (owner.json()["cancelled_by"], owner.json()["refund_minor"]) == ("owner", 11000)
    assert owner.json()["rule"]["kind"] == "by_owner_or_admin"
    assert (admin.json()["cancelled_by"], admin.json()["refund_minor"]) == ("admin", 11000)


async def test_bookings_are_listed_upcoming_past_or_cancelled_with_names_and_local_times(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    headers = token_issuer.headers("booker", booker)
    made = []
    for days in (5, 6, 7):
        answer = await booking.http.post(
            "/api/bookings", json=booking_body(studio, days_ahead=days), headers=headers
        )
        assert answer.status_code == 201, answer.text
        made.append(uuid.UUID(answer.json()["id"]))
    upcoming_id, past_id, cancelled_id = made
    cancel = await booking.http.patch(
        f"/api/bookings/{cancelled_id}", json={"action": "cancel"}, headers=headers
    )
    assert cancel.status_code == 200, cancel.text
    # Time passes for one of them: its session took place a month ago and was completed.
    assert booking.runtime is not None
    async with booking.runtime.units.begin() as uow:
        await uow.session.execute(
            update(tables.bookings)
            .where(tables.bookings.c.id == past_id)
            .values(
                status="completed",
                starts_at=tables.bookings.c.starts_at - timedelta(days=40),
                ends_at=tables.bookings.c.ends_at - timedelta(days=40),
                deadline_at=None,
            )
        )

    async def view(name: str) -> list[dict[str, object]]:
        answer = await booking.http.get("/api/bookings", params={"view": name}, headers=headers)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, object]] = answer.json()["items"]
        assert answer.json()["total"] == len(items)
        return items

    upcoming, past, cancelled = await view("upcoming"), await view("past"), await view("cancelled")

    assert [item["id"] for item in upcoming] == [str(upcoming_id)]
    assert [item["id"] for item in past] == [str(past_id)]
    assert [item["id"] for item in cancelled] == [str(cancelled_id)]
    shown = upcoming[0]
    assert (shown["studio_name"], shown["room_name"], shown["studio_timezone"]) == (
        "Blue Room Studios",
        "Live room",
        "Europe/Berlin",
    )
    starts_at = datetime.fromisoformat(str(shown["starts_at"]))
    local = datetime.fromisoformat(str(shown["local_starts_at"]))
    assert local == starts_at
    assert local.utcoffset() == starts_at.astimezone(BERLIN).utcoffset()
    assert shown["price"]["total_minor"] == 11000  # type: ignore[index]


async def test_the_party_filter_separates_an_owner_s_studios_from_their_own_bookings(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    elsewhere = await publish_studio(booking, probe, CancellationPolicy.STRICT)
    owner = token_issuer.headers("owner", studio.owner_id)
    guest = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker")
    )
    own = await booking.http.post("/api/bookings", json=booking_body(elsewhere), headers=owner)
    assert (guest.status_code, own.status_code) == (201, 201)

    async def listed(headers: dict[str, str], **params: str) -> set[str]:
        answer = await booking.http.get("/api/bookings", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return {item["id"] for item in answer.json()["items"]}

    everything = await listed(owner)
    of_studios = await listed(owner, party="owner", view="upcoming")
    as_booker = await listed(owner, party="booker")
    a_booker_as_owner = await listed(token_issuer.headers("booker"), party="owner")

    assert everything == {guest.json()["id"], own.json()["id"]}
    assert of_studios == {guest.json()["id"]}
    assert as_booker == {own.json()["id"]}
    assert a_booker_as_owner == set()


async def test_list_filters_are_bounded(booking: BookingService, token_issuer: TestIssuer) -> None:
    headers = token_issuer.headers("booker")

    bad_view = await booking.http.get("/api/bookings", params={"view": "soon"}, headers=headers)
    bad_party = await booking.http.get("/api/bookings", params={"party": "x"}, headers=headers)
    anonymous = await booking.http.get("/api/bookings", params={"view": "past"})

    assert (bad_view.status_code, _fields(bad_view.json())) == (422, ["query.view"])
    assert (bad_party.status_code, _fields(bad_party.json())) == (422, ["query.party"])
    assert anonymous.status_code == 401


async def test_every_policy_s_terms_are_public(booking: BookingService) -> None:
    answer = await booking.http.get("/api/bookings/cancellation-policies")

    assert answer.status_code == 200
    terms = {item["policy"]: item for item in answer.json()}
    assert set(terms) == {"flexible", "moderate", "strict"}
    assert terms["strict"]["steps"] == [
        {"min_notice_hours": 336, "percent": 100},
        {"min_notice_hours": 168, "percent": 50},
        {"min_notice_hours": 0, "percent": 0},
    ]
    assert (
        terms["moderate"]["grace_period_hours"],
        terms["moderate"]["grace_min_notice_hours"],
    ) == (
        1,
        24,
    )
    assert all(item["full_refund_until"] is None for item in answer.json())
