"""What catalog now sends with a listing: a result's photo and a review's writer."""

from __future__ import annotations

import httpx

from .test_pages import Handler, browser_of

STUDIO = {
    "id": "6f1c3d2e-0000-4000-8000-000000000001", "slug": "echo-lab", "name": "Echo Lab",
    "city": "Porto", "country": "PT", "latitude": 41.1, "longitude": -8.6, "currency": "EUR",
    "hourly_price_minor": 4500, "capacity": 4, "amenities": [],
    "rating": {"average": 4.5, "count": 2}, "distance_km": None,
}  # fmt: skip
REVIEW = {"rating": 5, "text": "Warm room", "created_at": "2026-11-30T10:00:00Z",
          "answer": None}  # fmt: skip


def catalog(photo_url: str | None, reviewer_name: str | None) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/reviews"):
            review = {**REVIEW, "reviewer_name": reviewer_name}
            return httpx.Response(200, json={"items": [review], "next_cursor": None})
        if path == "/api/studios":
            hit = {**STUDIO, "photo_url": photo_url}
            return httpx.Response(200, json={"items": [hit], "next_cursor": None})
        detail = {**STUDIO, "description": "", "address": "1 Rua", "timezone": "Europe/Lisbon",
                  "minimum_hours": 1, "maximum_hours": 24, "photos": [], "rooms": [],
                  "cancellation_policy": "flexible", "status": "published"}  # fmt: skip
        return httpx.Response(200, json=detail)

    return answer


async def test_a_result_card_shows_the_studio_s_first_photo_and_a_review_its_writer() -> None:
    async for browser in browser_of(catalog("https://img.example/echo.jpg", "Ada L.")):
        results = await browser.get("/search", params={"q": "echo"})
        studio = await browser.get("/studios/echo-lab")

    assert '<img class="photo" src="https://img.example/echo.jpg" alt="Echo Lab"' in results.text
    assert "Ada L." in studio.text


async def test_without_a_photo_or_a_name_the_card_and_review_say_so_plainly() -> None:
    async for browser in browser_of(catalog(None, None)):
        results = await browser.get("/search", params={"q": "echo"})
        studio = await browser.get("/studios/echo-lab")

    assert "No photo yet" in results.text
    assert "A booker" in studio.text
