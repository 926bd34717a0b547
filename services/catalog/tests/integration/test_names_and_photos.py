"""What a listing shows without asking another service: a result's first photo, and the name
of a review's writer as identity last announced it (UserCreated, UserUpdated)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from catalog.db.base import inbox
from contracts import Envelope
from contracts.envelope import Message
from contracts.identity import Role, UserCreated, UserDeleted, UserUpdated
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, published_studio
from .test_reviews import complete_booking


async def announce(bus: Bus, catalog: Catalog, message: Message, occurred_at: datetime) -> None:
    """Publish identity's event as of `occurred_at`; wait until catalog handled it."""
    envelope = Envelope.wrap(message).model_copy(update={"occurred_at": occurred_at})
    await bus.publish(message.routing_key, envelope.model_dump(mode="json"))

    async def handled() -> bool:
        async with catalog.runtime.database.transaction() as session:
            count = await session.scalar(
                select(func.count()).where(inbox.c.message_id == envelope.message_id)
            )
        return count == 1

    await eventually(handled)


async def test_a_review_shows_its_writer_s_newest_name_and_a_late_event_changes_nothing(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner, alice_id = token_issuer.headers("owner", uuid.uuid4()), uuid.uuid4()
    alice = token_issuer.headers("booker", alice_id)
    studio = await published_studio(catalog.client, owner)
    reviews = f"/api/studios/{studio['id']}/reviews"
    now = datetime.now(UTC)
    signed_up = UserCreated(user_id=alice_id, email="a@x.y", name="Alice Smith", role=Role.BOOKER)
    await announce(booking_service, catalog, signed_up, now - timedelta(minutes=5))
    booking = await complete_booking(booking_service, catalog, booker_id=alice_id, studio=studio)

    written = await catalog.client.post(
        reviews, json={"booking_id": str(booking), "rating": 5, "text": "Lovely"}, headers=alice
    )
    renamed = UserUpdated(user_id=alice_id, email="a@x.y", name="Alice Jones")
    await announce(booking_service, catalog, renamed, now)
    await announce(booking_service, catalog, signed_up, now - timedelta(minutes=1))
    listed = (await catalog.client.get(reviews)).json()["items"]

    assert written.status_code == 201
    assert written.json()["reviewer_name"] == "Alice Smith"
    assert [review["reviewer_name"] for review in listed] == ["Alice Jones"]


async def test_a_review_by_someone_identity_never_named_has_no_name(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner, bob_id = token_issuer.headers("owner", uuid.uuid4()), uuid.uuid4()
    studio = await published_studio(catalog.client, owner)
    booking = await complete_booking(booking_service, catalog, booker_id=bob_id, studio=studio)

    written = await catalog.client.post(
        f"/api/studios/{studio['id']}/reviews",
        json={"booking_id": str(booking), "rating": 4},
        headers=token_issuer.headers("booker", bob_id),
    )

    assert written.status_code == 201
    assert written.json()["reviewer_name"] is None


async def test_a_deleted_writer_s_reviews_stay_by_deleted_user(
    catalog: Catalog, token_issuer: TestIssuer, booking_service: Bus
) -> None:
    owner, carol_id = token_issuer.headers("owner", uuid.uuid4()), uuid.uuid4()
    studio = await published_studio(catalog.client, owner)
    reviews = f"/api/studios/{studio['id']}/reviews"
    now = datetime.now(UTC)
    signed_up = UserCreated(user_id=carol_id, email="c@x.y", name="Carol", role=Role.BOOKER)
    await announce(booking_service, catalog, signed_up, now - timedelta(minutes=1))
    booking = await complete_booking(booking_service, catalog, booker_id=carol_id, studio=studio)
    carol = token_issuer.headers("booker", carol_id)
    written = await catalog.client.post(
        reviews, json={"booking_id": str(booking), "rating": 3}, headers=carol
    )

    deleted = UserDeleted(user_id=carol_id, deleted_at=now)
    await announce(booking_service, catalog, deleted, now)
    await announce(booking_service, catalog, deleted, now)  # again, as a replay: same outcome
    late = UserUpdated(user_id=carol_id, email="c@x.y", name="Carol")
    await announce(booking_service, catalog, late, now - timedelta(seconds=1))
    listed = (await catalog.client.get(reviews)).json()["items"]
    as_carol = await catalog.client.get(reviews, headers=carol)

    assert written.json()["reviewer_name"] == "Carol"
    assert as_carol.status_code == 401  # the deletion still refuses her tokens
    assert [(review["rating"], review["reviewer_name"]) for review in listed] == [
        (3, "deleted user")
    ]


async def test_a_search_result_carries_the_studio_s_first_photo(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    word = f"Photon{uuid.uuid4().hex[:6]}"
    photos = [{"url": "https://example.com/first.jpg", "caption": "Front"},
              {"url": "https://example.com/second.jpg", "caption": "Back"}]  # fmt: skip
    await published_studio(catalog.client, owner, name=f"{word} Hall", photos=photos)

    found = await catalog.client.get("/api/studios", params={"q": word})

    assert [hit["photo_url"] for hit in found.json()["items"]] == ["https://example.com/first.jpg"]
