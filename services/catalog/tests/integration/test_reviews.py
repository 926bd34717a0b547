"""Reviews: only after a completed booking learnt from the bus, once per booking, answered once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts.booking import BookingCompleted
from contracts.values import TimeRange
from service_runtime.bus import Bus
from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, create_studio, deliver, published_studio


async def complete_booking(
    bus: Bus, catalog: Catalog, *, booker_id: uuid.UUID, studio: dict[str, object], times: int = 1
) -> uuid.UUID:
    """Publish BookingCompleted (`times` times, as redelivery does); wait until catalog has it."""
    starts = datetime(2026, 3, 1, 10, tzinfo=UTC)
    message = BookingCompleted(
        booking_id=uuid.uuid4(),
        booker_id=booker_id,
        owner_id=uuid.UUID(str(studio["owner_id"])),
        studio_id=uuid.UUID(str(studio["id"])),
        room_id=uuid.UUID(str(studio["rooms"][0]["id"])),  # type: ignore[index]
        time_range=TimeRange(starts_at=starts, ends_at=starts + timedelta(hours=2)),
        completed_at=starts + timedelta(hours=2),
    )
    await deliver(bus, catalog, message, times=times)
    return message.booking_id


async def test_reviews_need_a_completed_booking_and_move_the_rating(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner_id, alice_id, bob_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owner = token_issuer.headers("owner", owner_id)
    alice = token_issuer.headers("booker", alice_id)
    bob = token_issuer.headers("booker", bob_id)
    studio = await published_studio(catalog.client, owner)
    other_studio = await published_studio(catalog.client, owner, name="Elsewhere")
    reviews = f"/api/studios/{studio['id']}/reviews"

    before_completion = await catalog.client.post(
        reviews, json={"booking_id": str(uuid.uuid4()), "rating": 5}, headers=alice
    )
    alices_booking = await complete_booking(
        booking_service, catalog, booker_id=alice_id, studio=studio, times=2
    )
    by_someone_else = await catalog.client.post(
        reviews, json={"booking_id": str(alices_booking), "rating": 1}, headers=bob
    )
    for_another_studio = await catalog.client.post(
        f"/api/studios/{other_studio['id']}/reviews",
        json={"booking_id": str(alices_booking), "rating": 1},
        headers=alice,
    )
    alices = await catalog.client.post(
        reviews,
        json={"booking_id": str(alices_booking), "rating": 5, "text": "Great room"},
        headers=alice,
    )
    again = await catalog.client.post(
        reviews, json={"booking_id": str(alices_booking), "rating": 1}, headers=alice
    )
    bobs_booking = await complete_booking(booking_service, catalog, booker_id=bob_id, studio=studio)
    bobs = await catalog.client.post(
        reviews, json={"booking_id": str(bobs_booking), "rating": 4, "text": "Fine"}, headers=bob
    )

    assert before_completion.status_code == 403
    assert by_someone_else.status_code == 403
    assert for_another_studio.status_code == 403
    assert alices.status_code == 201
    assert again.status_code == 409
    assert bobs.status_code == 201
    detail = (await catalog.client.get(f"/api/studios/{studio['id']}")).json()
    assert detail["rating"] == {"average": 4.5, "count": 2}
    found = await catalog.client.get("/api/studios", params={"min_rating": 4.5})
    assert [item["id"] for item in found.json()["items"]] == [studio["id"]]


async def test_an_owner_who_booked_their_own_studio_cannot_review_it(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner_id, admin_id = uuid.uuid4(), uuid.uuid4()
    studio = await published_studio(catalog.client, token_issuer.headers("owner", owner_id))
    reviews = f"/api/studios/{studio['id']}/reviews"
    owners_booking = await complete_booking(
        booking_service, catalog, booker_id=owner_id, studio=studio
    )
    admins_booking = await complete_booking(
        booking_service, catalog, booker_id=admin_id, studio=studio
    )

    by_the_owner = await catalog.client.post(
        reviews,
        json={"booking_id": str(owners_booking), "rating": 5, "text": "Best studio ever"},
        headers=token_issuer.headers("owner", owner_id),
    )
    # An admin who booked the studio as anyone would is a booker like any other.
    by_an_admin_who_booked = await catalog.client.post(
        reviews,
        json={"booking_id": str(admins_booking), "rating": 4},
        headers=token_issuer.headers("admin", admin_id),
    )

    assert by_the_owner.status_code == 403
    assert by_the_owner.headers["content-type"] == "application/problem+json"
    assert "owner" in by_the_owner.json()["detail"]
    assert by_an_admin_who_booked.status_code == 201
    detail = (await catalog.client.get(f"/api/studios/{studio['id']}")).json()
    assert detail["rating"] == {"average": 4.0, "count": 1}


async def test_the_owner_answers_a_review_once(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    booker_id = uuid.uuid4()
    studio = await published_studio(catalog.client, owner)
    reviews = f"/api/studios/{studio['id']}/reviews"
    booking_id = await complete_booking(
        booking_service, catalog, booker_id=booker_id, studio=studio
    )
    review = (
        await catalog.client.post(
            reviews,
            json={"booking_id": str(booking_id), "rating": 3, "text": "Noisy"},
            headers=token_issuer.headers("booker", booker_id),
        )
    ).json()
    answer = f"{reviews}/{review['id']}/answer"

    by_another_owner = await catalog.client.post(
        answer, json={"text": "Hm"}, headers=token_issuer.headers("owner")
    )
    answered = await catalog.client.post(answer, json={"text": "We fixed it"}, headers=owner)
    twice = await catalog.client.post(answer, json={"text": "Again"}, headers=owner)

    assert by_another_owner.status_code == 403
    assert answered.status_code == 200
    assert answered.json()["answer"] == "We fixed it"
    assert twice.status_code == 409
    listed = (await catalog.client.get(reviews)).json()
    assert [(r["rating"], r["text"], r["answer"]) for r in listed["items"]] == [
        (3, "Noisy", "We fixed it")
    ]


async def test_reviews_are_listed_newest_first_page_by_page(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await published_studio(catalog.client, owner)
    reviews = f"/api/studios/{studio['id']}/reviews"
    for stars in (1, 2, 3, 4, 5):
        booker_id = uuid.uuid4()
        booking_id = await complete_booking(
            booking_service, catalog, booker_id=booker_id, studio=studio
        )
        await catalog.client.post(
            reviews,
            json={"booking_id": str(booking_id), "rating": stars},
            headers=token_issuer.headers("booker", booker_id),
        )

    seen: list[int] = []
    cursor = None
    while True:
        page = (
            await catalog.client.get(
                reviews, params={"limit": 2, **({"cursor": cursor} if cursor else {})}
            )
        ).json()
        seen += [review["rating"] for review in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [5, 4, 3, 2, 1]
    detail = (await catalog.client.get(f"/api/studios/{studio['id']}")).json()
    assert detail["rating"] == {"average": 3.0, "count": 5}


async def test_reviews_of_a_studio_the_public_cannot_see_are_hidden_as_it_is(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    draft = await create_studio(catalog.client, owner)
    reviews = f"/api/studios/{draft['id']}/reviews"

    anonymous = await catalog.client.get(reviews)
    another_owner = await catalog.client.get(reviews, headers=token_issuer.headers("owner"))
    by_the_owner = await catalog.client.get(reviews, headers=owner)
    by_an_admin = await catalog.client.get(reviews, headers=token_issuer.headers("admin"))

    assert anonymous.status_code == another_owner.status_code == 404
    assert by_the_owner.status_code == by_an_admin.status_code == 200
