"""Hostile or careless input gets a 4xx problem naming the field, never a 500."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, create_studio, published_studio, studio_body

NUL = "a\x00b"
BEYOND_BIGINT = 2**63
HUGE_FLOAT = 7.3e35
ROOM = {"name": "Booth", "capacity": 2}


def assert_names(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def cursor(key: object, sort: str = "price") -> str:
    raw = json.dumps([sort, key, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_STUDIOS: list[tuple[dict[str, Any], str]] = [
    ({"name": NUL}, "body.name"),
    ({"description": NUL}, "body.description"),
    ({"address": NUL}, "body.address"),
    ({"city": NUL}, "body.city"),
    ({"photos": [{"url": "https://example.com/1.jpg", "caption": NUL}]},
     "body.photos.0.caption"),
    ({"rooms": [{"name": NUL, "capacity": 2}]}, "body.rooms.0.name"),
    ({"rooms": [{**ROOM, "description": NUL}]}, "body.rooms.0.description"),
    ({"amenities": [NUL]}, "body.amenities.0"),
    ({"hourly_price_minor": BEYOND_BIGINT}, "body.hourly_price_minor"),
    ({"hourly_price_minor": HUGE_FLOAT}, "body.hourly_price_minor"),
    ({"hourly_price_minor": 4500.0}, "body.hourly_price_minor"),
    ({"rooms": [{**ROOM, "hourly_price_minor": BEYOND_BIGINT}]},
     "body.rooms.0.hourly_price_minor"),
    ({"capacity": BEYOND_BIGINT}, "body.capacity"),
    ({"rooms": [{**ROOM, "capacity": BEYOND_BIGINT}]}, "body.rooms.0.capacity"),
    ({"minimum_hours": BEYOND_BIGINT}, "body.minimum_hours"),
    ({"maximum_hours": BEYOND_BIGINT}, "body.maximum_hours"),
    # Booleans and numeric strings are not numbers, whatever pydantic's lax mode would make of them.
    ({"capacity": True}, "body.capacity"),
    ({"minimum_hours": "2"}, "body.minimum_hours"),
    ({"maximum_hours": 8.0}, "body.maximum_hours"),
    ({"rooms": [{**ROOM, "capacity": False}]}, "body.rooms.0.capacity"),
    ({"latitude": True}, "body.latitude"),
    ({"longitude": "13.4"}, "body.longitude"),
    ({"latitude": float("nan")}, "body.latitude"),
    ({"longitude": float("inf")}, "body.longitude"),
    ({"rooms": [ROOM] * 101}, "body.rooms"),
    ({"photos": [{"url": "https://example.com/1.jpg"}] * 51}, "body.photos"),
]  # fmt: skip


async def test_a_bad_new_studio_is_refused_naming_the_field(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = {**token_issuer.headers("owner"), "Content-Type": "application/json"}
    for overrides, field in BAD_STUDIOS:
        # Python's json writes NaN and Infinity, as a careless client may; httpx's json= won't.
        response = await catalog.client.post(
            "/api/studios", content=json.dumps(studio_body(**overrides)), headers=owner
        )
        assert_names(response, field)
    assert (await catalog.client.get("/api/owner/studios", headers=owner)).json() == []


async def test_bad_changes_of_a_studio_are_refused_naming_the_field(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    admin = token_issuer.headers("admin", uuid.uuid4())
    studio = await create_studio(catalog.client, owner)
    path = f"/api/studios/{studio['id']}"

    def patch(**body: Any) -> Any:
        return catalog.client.patch(path, json={"version": 1, **body}, headers=owner)

    assert_names(await patch(name=NUL), "body.name")
    assert_names(await patch(hourly_price_minor=BEYOND_BIGINT), "body.hourly_price_minor")
    assert_names(await patch(version=BEYOND_BIGINT), "body.version")
    assert_names(await patch(version=True), "body.version")
    rooms = f"{path}/rooms"
    room_id = studio["rooms"][0]["id"]
    assert_names(
        await catalog.client.post(rooms, json={**ROOM, "name": NUL}, headers=owner), "body.name"
    )
    assert_names(
        await catalog.client.put(
            f"{rooms}/{room_id}", json={**ROOM, "hourly_price_minor": HUGE_FLOAT}, headers=owner
        ),
        "body.hourly_price_minor",
    )
    assert_names(
        await catalog.client.post(f"{path}/suspend", json={"reason": NUL}, headers=admin),
        "body.reason",
    )
    superscript = await catalog.client.patch(
        path, json={"name": "New"}, headers={**owner, "If-Match": '"²"'.encode("latin-1")}
    )
    assert superscript.status_code == 400
    unchanged = (await catalog.client.get(path, headers=owner)).json()
    assert (unchanged["name"], unchanged["version"]) == ("Echo Room", 1)


async def test_a_studio_holds_at_most_a_hundred_rooms(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await create_studio(catalog.client, owner, rooms=[ROOM] * 100)

    one_more = await catalog.client.post(
        f"/api/studios/{studio['id']}/rooms", json=ROOM, headers=owner
    )

    assert one_more.status_code == 422
    assert one_more.json()["detail"].startswith("rooms:")


BAD_SEARCHES: list[tuple[dict[str, Any], str]] = [
    ({"q": NUL}, "query.q"),
    ({"city": NUL}, "query.city"),
    ({"min_price_minor": BEYOND_BIGINT}, "query.min_price_minor"),
    ({"max_price_minor": HUGE_FLOAT}, "query.max_price_minor"),
    ({"min_capacity": BEYOND_BIGINT}, "query.min_capacity"),
    ({"lat": "1e400", "lng": 13.4}, "query.lat"),
    ({"lat": 52.5, "lng": "nan"}, "query.lng"),
    ({"lat": 52.5, "lng": 13.4, "radius_km": "inf"}, "query.radius_km"),
    ({"lat": 52.5, "lng": 13.4, "radius_km": "5e-324"}, "query.radius_km"),
    ({"min_rating": "nan"}, "query.min_rating"),
    ({"limit": BEYOND_BIGINT}, "query.limit"),
    ({"amenities": ["wifi"] * 23}, "query.amenities"),
    ({"cursor": "x" * 501}, "query.cursor"),
]


async def test_a_bad_search_is_refused_naming_the_parameter(catalog: Catalog) -> None:
    for params, field in BAD_SEARCHES:
        assert_names(await catalog.client.get("/api/studios", params=params), field)
    for key in (BEYOND_BIGINT, float("nan"), float("inf")):
        forged = await catalog.client.get(
            "/api/studios", params={"sort": "price", "cursor": cursor(key)}
        )
        assert forged.status_code == 422, key
        assert "cursor" in forged.json()["detail"]


async def test_coordinates_finer_than_a_centimetre_are_rounded_not_a_500(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    tiny = 5e-324  # underflows PostgreSQL's ll_to_earth

    studio = await published_studio(catalog.client, owner, latitude=tiny, longitude=1 + tiny)
    found = await catalog.client.get(
        "/api/studios", params={"lat": tiny, "lng": 1 - tiny, "radius_km": 1}
    )

    assert (studio["latitude"], studio["longitude"]) == (0.0, 1.0)
    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [studio["id"]]


async def test_a_studio_looked_up_by_a_key_no_slug_has_is_not_found(catalog: Catalog) -> None:
    for key in ("a%00b", "%C2%B2", "x" * 300):
        response = await catalog.client.get(f"/api/studios/{key}")
        assert response.status_code == 404, key
        assert response.headers["content-type"] == "application/problem+json"


async def test_bad_reviews_and_answers_are_refused_naming_the_field(
    catalog: Catalog, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studio = await published_studio(catalog.client, owner)
    reviews = f"/api/studios/{studio['id']}/reviews"
    booker = token_issuer.headers("booker", uuid.uuid4())

    def review(**body: Any) -> Any:
        return catalog.client.post(
            reviews, json={"booking_id": str(uuid.uuid4()), "rating": 5, **body}, headers=booker
        )

    assert_names(await review(text=NUL), "body.text")
    assert_names(await review(rating=BEYOND_BIGINT), "body.rating")
    assert_names(await review(rating=True), "body.rating")
    answer = await catalog.client.post(
        f"{reviews}/{uuid.uuid4()}/answer", json={"text": NUL}, headers=owner
    )
    assert_names(answer, "body.text")
    assert_names(await catalog.client.get(reviews, params={"limit": BEYOND_BIGINT}), "query.limit")
    forged = await catalog.client.get(
        reviews, params={"cursor": cursor(float("nan"), "reviews_newest")}
    )
    assert forged.status_code == 422
