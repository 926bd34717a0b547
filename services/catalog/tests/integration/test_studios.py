"""Owners change only their own studios; admins moderate any; versions guard concurrent edits."""

from __future__ import annotations

import asyncio
import uuid

from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, create_studio, published_studio, studio_body


async def test_only_authenticated_owners_create_studios(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    anonymous = await catalog.client.post("/api/studios", json={})
    booker = await catalog.client.post(
        "/api/studios", json={}, headers=token_issuer.headers("booker")
    )
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert booker.status_code == 403


async def test_another_owner_or_a_booker_cannot_change_a_studio(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}"

    other_owner = token_issuer.headers("owner", uuid.uuid4())
    booker = token_issuer.headers("booker", uuid.uuid4())
    refused = [
        await catalog.client.patch(path, json={"name": "Mine", "version": 1}, headers=other_owner),
        await catalog.client.post(f"{path}/publish", headers=other_owner),
        await catalog.client.post(f"{path}/rooms", json={"name": "B", "capacity": 2},
                                  headers=other_owner),
        await catalog.client.patch(path, json={"name": "Mine", "version": 1}, headers=booker),
        await catalog.client.post(f"{path}/suspend", json={"reason": "x"}, headers=owner),
    ]  # fmt: skip
    unauthenticated = await catalog.client.post(f"{path}/publish")

    assert [response.status_code for response in refused] == [403] * 5
    assert unauthenticated.status_code == 401
    unchanged = await catalog.client.get(path, headers=owner)
    assert (unchanged.json()["name"], unchanged.json()["version"]) == ("Echo Room", 1)


async def test_admin_suspends_and_restores_any_studio(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    admin = token_issuer.headers("admin", uuid.uuid4())
    studio = await published_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}"

    suspended = await catalog.client.post(f"{path}/suspend", json={"reason": "fake"}, headers=admin)
    hidden = await catalog.client.get(path)
    owner_republish = await catalog.client.post(f"{path}/publish", headers=owner)
    owner_restore = await catalog.client.post(f"{path}/restore", headers=owner)
    restored = await catalog.client.post(f"{path}/restore", headers=admin)

    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert hidden.status_code == 404
    assert owner_republish.status_code == 409
    assert owner_restore.status_code == 403
    assert restored.json()["status"] == "published"
    assert (await catalog.client.get(path)).status_code == 200


async def test_owner_publishes_and_unlists_only_a_complete_studio(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    incomplete = await create_studio(catalog.client, owner, rooms=[], photos=[])
    refused = await catalog.client.post(f"/api/studios/{incomplete['id']}/publish", headers=owner)
    studio = await published_studio(catalog.client, owner)
    unlisted = await catalog.client.post(f"/api/studios/{studio['id']}/unlist", headers=owner)

    assert refused.status_code == 409
    assert "rooms, photos" in refused.json()["detail"]
    assert unlisted.json()["status"] == "unlisted"
    assert (await catalog.client.get(f"/api/studios/{studio['id']}")).status_code == 404


async def test_slugs_are_unique_and_never_change(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    first = await published_studio(catalog.client, owner, name="Café Sound")
    second = await create_studio(catalog.client, owner, name="Cafe  Sound!")
    renamed = await catalog.client.patch(
        f"/api/studios/{first['id']}",
        json={"name": "Other Name"},
        headers={**owner, "If-Match": '"2"'},
    )
    by_slug = await catalog.client.get("/api/studios/cafe-sound")

    assert (first["slug"], second["slug"]) == ("cafe-sound", "cafe-sound-2")
    assert renamed.json()["slug"] == "cafe-sound"
    assert by_slug.json()["id"] == first["id"]
    assert by_slug.json()["name"] == "Other Name"
    assert by_slug.headers["etag"] == '"3"'


async def test_a_stale_version_is_answered_with_409(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}"

    first = await catalog.client.patch(path, json={"hourly_price_minor": 5000, "version": 1},
                                       headers=owner)  # fmt: skip
    stale = await catalog.client.patch(path, json={"hourly_price_minor": 6000, "version": 1},
                                       headers=owner)  # fmt: skip
    stale_if_match = await catalog.client.patch(
        path, json={"capacity": 3}, headers={**owner, "If-Match": '"1"'}
    )
    without_version = await catalog.client.patch(path, json={"capacity": 3}, headers=owner)

    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert "version 1" in stale.json()["detail"]
    assert stale_if_match.status_code == 409
    assert without_version.status_code == 428
    assert (await catalog.client.get(path, headers=owner)).json()["hourly_price_minor"] == 5000


async def test_invalid_studios_name_the_fields(catalog: Catalog, token_issuer: TestIssuer) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    response = await catalog.client.post(
        "/api/studios",
        json={
            "name": "X",
            "address": "Somewhere 1",
            "city": "Berlin",
            "country": "XX",
            "latitude": 100,
            "longitude": 13.4,
            "timezone": "Mars/Olympus",
            "currency": "EUR",
            "hourly_price_minor": 12.5,
            "amenities": ["jacuzzi"],
            "cancellation_policy": "lenient",
        },
        headers=owner,
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {
        "body.country",
        "body.latitude",
        "body.timezone",
        "body.hourly_price_minor",
        "body.amenities.0",
        "body.cancellation_policy",
    } <= fields


async def test_rooms_are_added_replaced_and_removed(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}/rooms"

    booth_body = {"name": "Booth", "capacity": 2, "hourly_price_minor": 3000}
    added = await catalog.client.post(path, json=booth_body, headers=owner)
    booth = added.json()["rooms"][1]
    replaced = await catalog.client.put(
        f"{path}/{booth['id']}", json={"name": "Vocal Booth", "capacity": 3}, headers=owner
    )
    removed = await catalog.client.delete(f"{path}/{booth['id']}", headers=owner)
    missing = await catalog.client.delete(f"{path}/{uuid.uuid4()}", headers=owner)

    assert added.status_code == 201
    assert (booth["hourly_price_minor"], booth["price_overridden"]) == (3000, True)
    assert replaced.json()["rooms"][1]["name"] == "Vocal Booth"
    assert replaced.json()["rooms"][1]["hourly_price_minor"] == 4500
    assert [room["name"] for room in removed.json()["rooms"]] == ["Live Room"]
    assert removed.json()["version"] == 4
    assert missing.status_code == 404


async def test_add_ons_are_added_replaced_removed_and_only_by_the_owner(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}/add-ons"
    engineer = {"name": "Engineer", "pricing": "per_hour", "price_minor": 3000}

    added = await catalog.client.post(path, json=engineer, headers=owner)
    kit = {"name": "Backline kit", "pricing": "per_item", "price_minor": 1500, "max_quantity": 3}
    both = await catalog.client.post(path, json=kit, headers=owner)
    first = added.json()["add_ons"][0]
    cleaning = {"name": "Cleaning", "pricing": "per_booking", "price_minor": 2000}
    replaced = await catalog.client.put(
        f"{path}/{first['id']}", json={**cleaning, "required": True}, headers=owner
    )
    stranger = await catalog.client.delete(
        f"{path}/{first['id']}", headers=token_issuer.headers("owner")
    )
    removed = await catalog.client.delete(f"{path}/{first['id']}", headers=owner)
    missing = await catalog.client.delete(f"{path}/{uuid.uuid4()}", headers=owner)
    twice = await catalog.client.post(path, json={**cleaning, "max_quantity": 2}, headers=owner)
    negative = await catalog.client.post(path, json={**kit, "price_minor": -1}, headers=owner)

    assert added.status_code == 201
    assert first == {"id": first["id"], "max_quantity": 1, "required": False, **engineer}
    assert [a["name"] for a in both.json()["add_ons"]] == ["Engineer", "Backline kit"]
    assert replaced.json()["add_ons"][0] == {
        "id": first["id"], "max_quantity": 1, "required": True, **cleaning
    }  # fmt: skip
    assert stranger.status_code == 403
    assert [a["name"] for a in removed.json()["add_ons"]] == ["Backline kit"]
    assert missing.status_code == 404
    assert (twice.status_code, negative.status_code) == (422, 422)
    assert "per_booking" in twice.json()["errors"][0]["message"]


async def test_owners_see_all_their_studios_and_the_public_only_published_ones(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner_id = uuid.uuid4()
    owner = token_issuer.headers("owner", owner_id)
    draft = await create_studio(catalog.client, owner, name="Draft Room")
    live = await published_studio(catalog.client, owner, name="Live Room")
    await published_studio(catalog.client, token_issuer.headers("owner"), name="Not Mine")

    mine = await catalog.client.get("/api/owner/studios", headers=owner)
    public_draft = await catalog.client.get(f"/api/studios/{draft['id']}")
    other_owner_draft = await catalog.client.get(
        f"/api/studios/{draft['id']}", headers=token_issuer.headers("owner")
    )
    own_draft = await catalog.client.get(f"/api/studios/{draft['id']}", headers=owner)
    public_live = await catalog.client.get(f"/api/studios/{live['slug']}")

    assert {(s["name"], s["status"]) for s in mine.json()} == {
        ("Draft Room", "draft"),
        ("Live Room", "published"),
    }
    assert (public_draft.status_code, other_owner_draft.status_code) == (404, 404)
    assert own_draft.status_code == 200
    detail = public_live.json()
    assert detail["rooms"][0]["name"] == "Live Room"
    assert detail["photos"] == [{"url": "https://example.com/1.jpg", "caption": "The live room"}]
    assert detail["rating"] == {"average": None, "count": 0}
    assert detail["owner_id"] == str(owner_id)


async def test_the_owner_sets_the_longest_booking_the_studio_takes(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    default = await create_studio(catalog.client, owner)
    studio = await create_studio(catalog.client, owner, name="Long Days", maximum_hours=12)
    path = f"/api/studios/{studio['id']}"

    shorter_than_minimum = await catalog.client.patch(
        path, json={"maximum_hours": 1, "version": 1}, headers=owner
    )
    longer = await catalog.client.patch(
        path, json={"maximum_hours": 48, "version": 1}, headers=owner
    )

    assert (default["maximum_hours"], studio["maximum_hours"]) == (24, 12)
    assert shorter_than_minimum.status_code == 422
    assert shorter_than_minimum.json()["detail"].startswith("maximum_hours")
    assert longer.json()["maximum_hours"] == 48


async def test_the_owner_chooses_to_accept_each_booking_within_at_most_three_days(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}"

    too_slow = await catalog.client.patch(
        path, json={"booking_mode": "request", "request_window_hours": 73}, headers=owner
    )
    unknown = await catalog.client.patch(path, json={"booking_mode": "maybe"}, headers=owner)
    requests = await catalog.client.patch(
        path,
        json={"booking_mode": "request", "request_window_hours": 48, "version": 1},
        headers=owner,
    )

    assert (studio["booking_mode"], studio["request_window_hours"]) == ("instant", 24)
    assert too_slow.status_code == unknown.status_code == 422
    assert [e["field"] for e in too_slow.json()["errors"]] == ["body.request_window_hours"]
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.booking_mode"]
    assert requests.status_code == 200, requests.text
    assert (requests.json()["booking_mode"], requests.json()["request_window_hours"]) == (
        "request",
        48,
    )


async def test_studios_created_at_once_under_one_name_get_distinct_slugs(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owners = [token_issuer.headers("owner", uuid.uuid4()) for _ in range(8)]

    responses = await asyncio.gather(
        *(
            catalog.client.post("/api/studios", json=studio_body(name="Twin Peaks"), headers=o)
            for o in owners
        )
    )

    assert [response.status_code for response in responses] == [201] * len(owners)
    slugs = {response.json()["slug"] for response in responses}
    assert slugs == {"twin-peaks", *(f"twin-peaks-{n}" for n in range(2, len(owners) + 1))}
