"""The owner's pages over a fake API: who may open them, what they show, what they send."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from web.app import create_app
from web.config import WebSettings
from web.pages import owners

OWNER_ID = "11111111-1111-1111-1111-111111111111"
STUDIO_ID = "22222222-2222-2222-2222-222222222222"
ROOM_ID = "33333333-3333-3333-3333-333333333333"
BOOKING_ID = "44444444-4444-4444-4444-444444444444"
FEED_ID = "55555555-5555-5555-5555-555555555555"
ADD_ON_ID = "66666666-6666-6666-6666-666666666666"
FEEDS = f"/api/availability/studios/{STUDIO_ID}/calendar-feeds"
FEED = {"id": FEED_ID, "studio_id": STUDIO_ID, "room_id": ROOM_ID,
        "created_at": "2026-12-01T10:00:00Z", "rotated_at": "2026-12-01T10:00:00Z"}  # fmt: skip
SECRET_PATH = "/api/availability/feeds/s3cret-s3cret-s3cret-s3cret.ics"
EXTERNAL = f"/api/availability/studios/{STUDIO_ID}/rooms/{ROOM_ID}/external-calendars"
EXTERNAL_CAL = {"id": FEED_ID, "room_id": ROOM_ID, "url": "https://cal.example.com/live.ics",
                "created_at": "2026-12-01T10:00:00Z", "fetched_at": "2026-12-01T10:05:00Z",
                "failed_at": "2026-12-01T11:00:00Z", "last_error": "the server answered 503",
                "busy_count": 4}  # fmt: skip
STUDIO = {
    "id": STUDIO_ID, "slug": "tide", "owner_id": OWNER_ID, "name": "Tide Sound",
    "description": "A room.", "address": "1 Rua Nova", "city": "Lisbon", "country": "PT",
    "latitude": 38.7, "longitude": -9.1, "timezone": "Europe/Lisbon", "currency": "EUR",
    "hourly_price_minor": 4500, "minimum_hours": 1, "maximum_hours": 24, "capacity": 5,
    "amenities": ["wifi"], "photos": [{"url": "https://img.example.com/a.jpg", "caption": ""}],
    "cancellation_policy": "moderate", "status": "draft", "suspension_reason": None,
    "rooms": [{"id": ROOM_ID, "name": "Live", "description": "", "capacity": 5,
               "hourly_price_minor": 4500, "price_overridden": False}],
    "rating": {"average": None, "count": 0}, "version": 3,
    "add_ons": [{"id": ADD_ON_ID, "name": "Engineer", "pricing": "per_hour", "price_minor": 2500,
                 "max_quantity": 1, "required": False}],
}  # fmt: skip
BOOKING = {
    "id": BOOKING_ID, "status": "confirmed", "studio_id": STUDIO_ID, "room_id": ROOM_ID,
    "studio_name": "Tide Sound", "room_name": "Live", "studio_timezone": "Europe/Lisbon",
    "starts_at": "2026-12-09T10:00:00+00:00", "ends_at": "2026-12-09T12:00:00+00:00",
    "price": {"total_minor": 9900, "currency": "EUR", "hours": 2},
    "cancellation_policy": "moderate",
}  # fmt: skip


class FakeApi:
    """The API as the owner pages call it; `calls` keeps what they sent."""

    def __init__(self, role: str = "owner") -> None:
        self.role = role
        self.calls: list[tuple[str, str, Any]] = []
        self.answers: dict[tuple[str, str], httpx.Response] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        self.calls.append((method, path, body))
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        if path == "/api/auth/sign-in":
            user = {"id": OWNER_ID, "name": "Olga", "email": "o@x.test", "role": self.role}
            return httpx.Response(200, json={"user": user, "access_token": "t",
                                             "expires_in": 900})  # fmt: skip
        return httpx.Response(200 if method != "POST" else 201, json=self._answer(path))

    def _answer(self, path: str) -> Any:
        if path == "/api/owner/studios":
            return [STUDIO]
        if path in ("/api/studios", f"/api/studios/{STUDIO_ID}"):
            return STUDIO
        if path == "/api/bookings":
            return {"items": [BOOKING], "total": 1, "limit": 5, "offset": 0}
        if path == f"/api/bookings/{BOOKING_ID}":
            return BOOKING
        if path.endswith("/cancellation"):
            return {"cancellable": True, "refund_minor": 9900, "currency": "EUR"}
        if path == "/api/payments/owner/summary":
            return {
                "month": "2026-12", "timezone": "Europe/Lisbon",
                "earnings": [{"currency": "EUR", "payments": 2, "captured_minor": 19800,
                              "refunded_minor": 0, "owner_share_minor": 18000,
                              "platform_fee_minor": 1800}],
                "payouts_waiting": [{"currency": "EUR", "payouts": 1, "amount_minor": 9000,
                                     "earliest_not_before": "2026-12-12T10:00:00Z"}],
            }  # fmt: skip
        if path == "/api/payments/owner/payouts":
            paid = {
                "booking_id": BOOKING_ID, "status": "paid", "amount_minor": 9000,
                "currency": "EUR", "not_before": "2026-12-12T10:00:00Z",
                "paid_at": "2026-12-12T10:05:00Z", "reversed_minor": 0, "hold": None,
            }  # fmt: skip
            return [paid]
        if path == "/api/payments/owner/onboarding":
            return {"account_id": "acct_1", "onboarding_url": "https://connect.test/o/1",
                    "payouts_enabled": False}  # fmt: skip
        if path.endswith("/rules"):
            return {"rules": [{"weekday": 0, "opens": "09:00:00", "closes": "18:00:00",
                               "room_id": None}]}  # fmt: skip
        if path.endswith(("/blackouts", "/extra-hours")):
            return []
        if path.endswith("/settings"):
            return {"slot_minutes": 30, "min_notice_minutes": 60, "max_advance_days": 180,
                    "buffer_minutes": 0, "buffer_before_minutes": 0}  # fmt: skip
        if path == FEEDS:
            return [FEED]
        if path == EXTERNAL:
            return [EXTERNAL_CAL]
        if path.startswith(EXTERNAL):
            return EXTERNAL_CAL
        if path.startswith(FEEDS):
            return {**FEED, "path": SECRET_PATH}
        if path.endswith("/calendar"):
            return {"studio_id": STUDIO_ID, "timezone": "Europe/Lisbon", "reservations": [{
                "reservation_id": "r", "booking_id": BOOKING_ID, "room_id": ROOM_ID,
                "status": "booked", "expires_at": None,
                "time": {"starts_at": "2026-12-09T10:00:00Z", "ends_at": "2026-12-09T12:00:00Z"},
            }]}  # fmt: skip
        return {}

    def sent(self, method: str, path: str) -> Any:
        return next(body for m, p, body in self.calls if (m, p) == (method, path))


async def _browser(api: FakeApi, sign_in: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    app = create_app(WebSettings(), http=http)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as browser:
        if sign_in:
            token = _csrf(await browser.get("/sign-in"))
            await browser.post("/sign-in", data={"email": "o@x.test", "password": "pw",
                                                 "csrf_token": token})  # fmt: skip
        yield browser


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
async def owner(api: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    async for browser in _browser(api):
        yield browser


async def test_the_dashboard_shows_money_for_its_currency_and_times_in_the_studio_s_zone(
    owner: httpx.AsyncClient,
) -> None:
    page = await owner.get("/owner")

    assert page.status_code == 200
    assert "€180.00" in page.text
    assert "December 2026, counted in Europe/Lisbon time" in page.text
    assert "€90.00" in page.text
    assert "Wed 9 Dec 2026, 10:00 WET to 12:00 WET" in page.text
    assert 'href="/owner">Owner dashboard</a>' in page.text


async def test_a_booker_is_told_the_pages_are_for_owners_and_nobody_is_sent_to_sign_in() -> None:
    async for booker in _browser(FakeApi(role="booker")):
        page = await booker.get("/owner/payouts")
        assert page.status_code == 403
        assert "These pages are for studio owners" in page.text
        assert "Owner dashboard" not in page.text
    async for nobody in _browser(FakeApi(), sign_in=False):
        page = await nobody.get("/owner/studios/new")
        assert page.status_code == 303
        assert page.headers["location"] == "/sign-in?next=/owner/studios/new"


async def test_a_new_studio_with_a_wrong_field_is_shown_again_with_the_error_beside_it(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    token = _csrf(await owner.get("/owner/studios/new"))

    page = await owner.post("/owner/studios/new", data={"csrf_token": token, "name": "Tide",
                                                        "price": "abc"})  # fmt: skip

    assert page.status_code == 422
    assert 'id="price-error"' in page.text
    assert 'value="Tide"' in page.text
    assert not [call for call in api.calls if call[1] == "/api/studios"]


async def test_catalog_s_refusal_of_a_field_is_shown_beside_it(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    api.answers[("POST", "/api/studios")] = httpx.Response(422, json={
        "title": "Unprocessable", "status": 422,
        "errors": [{"field": "body.country", "message": "'XX' is not an ISO 3166 code"}],
    })  # fmt: skip
    token = _csrf(await owner.get("/owner/studios/new"))
    form = {
        "csrf_token": token, "name": "Tide", "address": "1 Rua", "city": "Lisbon",
        "country": "XX", "latitude": "38.7", "longitude": "-9.1", "timezone": "Europe/Lisbon",
        "currency": "EUR", "price": "45", "minimum_hours": "1", "maximum_hours": "24",
        "capacity": "4", "cancellation_policy": "flexible", "room-0-name": "Live",
        "room-0-capacity": "4",
    }  # fmt: skip

    page = await owner.post("/owner/studios/new", data=form)

    assert page.status_code == 422
    assert re.search(r'id="country-error">&#39;XX&#39; is not an ISO 3166 code', page.text)
    sent = api.sent("POST", "/api/studios")
    assert sent["hourly_price_minor"] == 4500
    assert sent["rooms"] == [{"name": "Live", "capacity": 4}]


async def test_editing_sends_the_version_and_only_the_rooms_that_changed(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}")
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    form |= {"description": "A room.", "cancellation_policy": "moderate", "currency": "EUR",
             "room-1-name": "Booth", "room-1-capacity": "2", "room-1-price": "30"}  # fmt: skip

    saved = await owner.post(f"/owner/studios/{STUDIO_ID}", data=form)

    assert saved.status_code == 303, saved.text
    assert api.sent("PATCH", f"/api/studios/{STUDIO_ID}")["version"] == 3
    assert api.sent("POST", f"/api/studios/{STUDIO_ID}/rooms") == {
        "name": "Booth", "capacity": 2, "hourly_price_minor": 3000,
    }  # fmt: skip
    assert not [call for call in api.calls if call[0] == "PUT"]


async def test_extras_are_listed_added_with_their_price_in_minor_units_and_removed(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}/extras")
    token = _csrf(page)
    add = {"csrf_token": token, "name": "Cable", "pricing": "per_item", "price": "3.50",
           "max_quantity": "10"}  # fmt: skip
    added = await owner.post(f"/owner/studios/{STUDIO_ID}/extras", data=add)
    wrong = await owner.post(
        f"/owner/studios/{STUDIO_ID}/extras", data=add | {"price": "3.505", "max_quantity": "0"}
    )
    removed = await owner.post(
        f"/owner/studios/{STUDIO_ID}/extras/{ADD_ON_ID}/remove", data={"csrf_token": token}
    )

    assert "<strong>Engineer</strong> · €25.00 an hour" in page.text
    assert added.status_code == 303
    assert api.sent("POST", f"/api/studios/{STUDIO_ID}/add-ons") == {
        "name": "Cable", "pricing": "per_item", "price_minor": 350, "max_quantity": 10,
        "required": False,
    }  # fmt: skip
    assert wrong.status_code == 422
    assert '<p class="error" id="price-error">Price: EUR has 2 decimals at most.</p>' in wrong.text
    assert 'id="max_quantity-error">A whole number from 1 to 100.<' in wrong.text
    assert removed.status_code == 303
    assert ("DELETE", f"/api/studios/{STUDIO_ID}/add-ons/{ADD_ON_ID}", None) in api.calls


async def test_catalog_s_refusal_of_an_extra_is_shown_beside_its_field(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    api.answers[("POST", f"/api/studios/{STUDIO_ID}/add-ons")] = httpx.Response(422, json={
        "title": "Invalid", "status": 422,
        "errors": [{"field": "add_ons", "message": "at most 30 per studio"}],
    })  # fmt: skip
    token = _csrf(await owner.get(f"/owner/studios/{STUDIO_ID}/extras"))

    page = await owner.post(
        f"/owner/studios/{STUDIO_ID}/extras",
        data={"csrf_token": token, "name": "Mic", "pricing": "per_booking", "price": "5"},
    )

    assert page.status_code == 422
    assert "at most 30 per studio" in page.text


async def test_publishing_an_incomplete_studio_says_what_is_missing(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    detail = "The studio cannot be published without: a photo."
    api.answers[("POST", f"/api/studios/{STUDIO_ID}/publish")] = httpx.Response(
        409, json={"title": "Conflict", "status": 409, "detail": detail}
    )
    token = _csrf(await owner.get(f"/owner/studios/{STUDIO_ID}"))

    page = await owner.post(f"/owner/studios/{STUDIO_ID}/publish", data={"csrf_token": token})

    assert page.status_code == 409
    assert detail in page.text


async def test_the_hours_editor_puts_the_week_s_rules(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}/hours")
    assert 'value="09:00"' in page.text
    form = {"csrf_token": _csrf(page), "day-0-0-opens": "10:00", "day-0-0-closes": "00:00",
            "day-1-0-opens": "", "day-1-0-closes": ""}  # fmt: skip

    saved = await owner.post(f"/owner/studios/{STUDIO_ID}/hours", data=form)

    assert saved.status_code == 303
    assert api.sent("PUT", f"/api/availability/studios/{STUDIO_ID}/rules") == {
        "rules": [{"weekday": 0, "opens": "10:00", "closes": "00:00"}]
    }


async def test_the_calendar_shows_the_week_s_bookings_with_links_to_them(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}/calendar?week=2026-12-09")

    assert page.status_code == 200
    assert f'href="/owner/bookings/{BOOKING_ID}">10:00\u201312:00</a>' in page.text
    assert "?week=2026-11-30" in page.text
    assert "?week=2026-12-14" in page.text
    asked = next(call for call in api.calls if call[1].endswith("/calendar"))
    assert asked[1] == f"/api/owner/studios/{STUDIO_ID}/calendar"


async def test_a_request_waits_on_the_dashboard_and_its_page_accepts_or_declines_it(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    waiting = BOOKING | {"status": "awaiting_owner", "respond_by": "2026-12-08T18:00:00+00:00"}
    api.answers[("GET", "/api/bookings")] = httpx.Response(
        200, json={"items": [waiting], "total": 1, "limit": 5, "offset": 0}
    )
    api.answers[("GET", f"/api/bookings/{BOOKING_ID}")] = httpx.Response(200, json=waiting)

    dashboard = await owner.get("/owner")
    page = await owner.get(f"/owner/bookings/{BOOKING_ID}")
    accepted = await owner.post(
        f"/owner/bookings/{BOOKING_ID}", data={"csrf_token": _csrf(page), "action": "accept"}
    )

    requests = re.search(r'data-testid="requests">(.*?)</ul>', dashboard.text, re.S)
    assert requests, dashboard.text
    assert "answer by Tue 8 Dec 2026, 18:00 WET" in requests.group(1)
    assert "Accept or decline by <strong>Tue 8 Dec 2026, 18:00 WET</strong>" in page.text
    assert ">Decline the request</button>" in page.text
    assert ">Cancel this booking</button>" not in page.text
    assert accepted.status_code == 303
    assert api.sent("PATCH", f"/api/bookings/{BOOKING_ID}") == {"action": "accept"}

    declined = await owner.post(
        f"/owner/bookings/{BOOKING_ID}",
        data={"csrf_token": _csrf(page), "action": "decline", "message": " Fully booked, sorry "},
    )
    assert declined.status_code == 303
    assert api.sent("POST", f"/api/bookings/{BOOKING_ID}/messages") == {
        "body": "Fully booked, sorry"
    }
    patches = [
        body for m, p, body in api.calls if (m, p) == ("PATCH", f"/api/bookings/{BOOKING_ID}")
    ]
    assert patches == [{"action": "accept"}, {"action": "decline"}]


async def test_the_studio_form_sends_how_bookings_are_confirmed(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}")
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    form |= {"description": "A room.", "cancellation_policy": "moderate", "currency": "EUR",
             "booking_mode": "request", "request_window_hours": "12"}  # fmt: skip

    saved = await owner.post(f"/owner/studios/{STUDIO_ID}", data=form)
    too_long = await owner.post(
        f"/owner/studios/{STUDIO_ID}", data=form | {"request_window_hours": "100"}
    )

    assert saved.status_code == 303, saved.text
    sent = api.sent("PATCH", f"/api/studios/{STUDIO_ID}")
    assert (sent["booking_mode"], sent["request_window_hours"]) == ("request", 12)
    assert too_long.status_code == 422
    assert 'id="request_window_hours-error">Enter a whole number from 1 to 72.<' in too_long.text


async def test_a_refused_booking_action_is_explained_on_the_booking_s_page(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    api.answers[("PATCH", f"/api/bookings/{BOOKING_ID}")] = httpx.Response(
        409, json={"title": "Conflict", "status": 409, "detail": "The session has not started."}
    )
    token = _csrf(await owner.get(f"/owner/bookings/{BOOKING_ID}"))

    page = await owner.post(f"/owner/bookings/{BOOKING_ID}",
                            data={"csrf_token": token, "action": "complete"})  # fmt: skip

    assert page.status_code == 409
    assert "The session has not started." in page.text
    assert api.sent("PATCH", f"/api/bookings/{BOOKING_ID}") == {"action": "complete"}


async def test_payouts_list_the_history_and_onboarding_goes_to_stripe(
    owner: httpx.AsyncClient,
) -> None:
    page = await owner.get("/owner/payouts?onboarding=done")
    assert "€90.00" in page.text
    assert "Stripe has your details" in page.text

    started = await owner.post("/owner/payouts/onboarding", data={"csrf_token": _csrf(page)})

    assert started.status_code == 200
    assert 'href="https://connect.test/o/1">Continue to Stripe</a>' in started.text


async def test_every_unsafe_owner_route_checks_the_csrf_token(owner: httpx.AsyncClient) -> None:
    unsafe = [
        route.path.format(
            studio_id=STUDIO_ID, booking_id=BOOKING_ID, blackout_id=BOOKING_ID, feed_id=FEED_ID,
            room_id=ROOM_ID, calendar_id=FEED_ID, extra_id=FEED_ID, add_on_id=ADD_ON_ID,
        )
        for router in owners.ROUTERS for route in router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}
    ]  # fmt: skip

    for path in unsafe:
        assert (await owner.post(path, data={})).status_code == 403, path
    assert len(unsafe) == 20


async def test_the_calendar_lists_feeds_and_shows_a_new_feed_s_address_once(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}/calendar")
    assert "Calendar feeds" in page.text
    assert "Live" in page.text  # the room feed, by the room's name
    assert "s3cret" not in page.text

    api.answers[("POST", FEEDS)] = httpx.Response(201, json={**FEED, "path": SECRET_PATH})
    made = await owner.post(
        f"/owner/studios/{STUDIO_ID}/feeds",
        data={"csrf_token": _csrf(page), "room_id": ROOM_ID},
        headers={"Origin": "http://shop.test:8080"},
    )

    shown = await owner.get(made.headers["location"])
    again = await owner.get(f"/owner/studios/{STUDIO_ID}/calendar")

    assert made.status_code == 303  # reloading the page that follows makes no second feed
    assert (
        'value="http://shop.test:8080/api/availability/feeds/s3cret-s3cret-s3cret-s3cret.ics"'
        in shown.text
    )
    assert "shown only now" in shown.text
    assert api.sent("POST", FEEDS) == {"room_id": ROOM_ID}
    assert "s3cret" not in again.text


async def test_rotating_shows_the_new_address_and_revoking_says_so(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    token = _csrf(await owner.get(f"/owner/studios/{STUDIO_ID}/calendar"))

    rotated = await owner.post(
        f"/owner/studios/{STUDIO_ID}/feeds/{FEED_ID}/rotate", data={"csrf_token": token}
    )
    rotated = await owner.get(rotated.headers["location"])
    revoked = await owner.post(
        f"/owner/studios/{STUDIO_ID}/feeds/{FEED_ID}/revoke", data={"csrf_token": token}
    )

    assert "feeds/s3cret-s3cret-s3cret-s3cret.ics" in rotated.text
    assert ("POST", f"{FEEDS}/{FEED_ID}/rotate", {}) in api.calls
    assert revoked.status_code == 303
    assert ("DELETE", f"{FEEDS}/{FEED_ID}", None) in api.calls
    assert "Feed revoked" in (await owner.get(revoked.headers["location"])).text


async def test_the_calendar_shows_each_room_s_external_calendars_and_their_status(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await owner.get(f"/owner/studios/{STUDIO_ID}/calendar")
    assert "https://cal.example.com/live.ics" in page.text
    assert "4 busy times" in page.text
    assert "Last read failed: the server answered 503" in page.text

    token = _csrf(page)
    base = f"/owner/studios/{STUDIO_ID}/rooms/{ROOM_ID}/external"
    added = await owner.post(base, data={"csrf_token": token, "url": " https://x.test/a.ics "})
    refreshed = await owner.post(f"{base}/{FEED_ID}/refresh", data={"csrf_token": token})
    told = await owner.get(refreshed.headers["location"])
    removed = await owner.post(f"{base}/{FEED_ID}/remove", data={"csrf_token": token})

    assert api.sent("POST", EXTERNAL) == {"url": "https://x.test/a.ics"}
    assert ("POST", f"{EXTERNAL}/{FEED_ID}/refresh", {}) in api.calls
    assert ("DELETE", f"{EXTERNAL}/{FEED_ID}", None) in api.calls
    assert all(r.status_code == 303 for r in (added, refreshed, removed))
    assert "Could not read the calendar: the server answered 503." in told.text


async def test_a_refused_external_address_is_said_on_the_page(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    token = _csrf(await owner.get(f"/owner/studios/{STUDIO_ID}/calendar"))
    problem = {
        "title": "Unprocessable",
        "status": 422,
        "detail": "url: must be an http or https address",
    }
    api.answers[("POST", EXTERNAL)] = httpx.Response(422, json=problem)
    refused = await owner.post(
        f"/owner/studios/{STUDIO_ID}/rooms/{ROOM_ID}/external",
        data={"csrf_token": token, "url": "ftp://x"},
    )
    shown = await owner.get(refused.headers["location"])
    assert "must be an http or https address" in shown.text


async def test_the_owner_proposes_another_time_for_the_booker_to_accept(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    movable = BOOKING | {
        "starts_at": "2099-12-09T10:00:00+00:00", "ends_at": "2099-12-09T12:00:00+00:00",
        "local_starts_at": "2099-12-09T10:00:00+00:00", "attendees": 2, "move": None,
        "movable_until": "2099-12-08T10:00:00+00:00",
    }  # fmt: skip
    api.answers[("GET", f"/api/bookings/{BOOKING_ID}")] = httpx.Response(200, json=movable)
    slot = {"starts_at": "2099-12-10T15:00:00Z", "local_starts_at": "2099-12-10T15:00:00+00:00"}
    api.answers[("GET", "/api/availability")] = httpx.Response(200, json={"slots": [slot]})
    proposal = {
        "room_id": ROOM_ID,
        "starts_at": slot["starts_at"],
        "ends_at": "2099-12-10T17:00:00Z",
        "answer_by": movable["movable_until"],
    }
    api.answers[("PATCH", f"/api/bookings/{BOOKING_ID}")] = httpx.Response(
        200, json=movable | {"move": proposal}
    )

    page = await owner.get(f"/owner/bookings/{BOOKING_ID}")
    times = await owner.get(f"/owner/bookings/{BOOKING_ID}/move?day=2099-12-10")
    proposed = await owner.post(
        f"/owner/bookings/{BOOKING_ID}/move",
        data={"csrf_token": _csrf(page), "room_id": ROOM_ID, "starts_at": slot["starts_at"]},
    )

    assert f'href="/owner/bookings/{BOOKING_ID}/move">Propose another time</a>' in page.text
    assert 'aria-label="Propose 15:00"' in times.text
    assert "The booker is asked to accept the time you choose" in times.text
    assert proposed.status_code == 303
    assert proposed.headers["location"] == f"/owner/bookings/{BOOKING_ID}"
    assert api.sent("PATCH", f"/api/bookings/{BOOKING_ID}") == {
        "action": "reschedule", "room_id": ROOM_ID, "starts_at": "2099-12-10T15:00:00+00:00",
        "ends_at": "2099-12-10T17:00:00+00:00",
    }  # fmt: skip


async def test_the_owner_sees_that_the_booker_kept_the_time(
    owner: httpx.AsyncClient, api: FakeApi
) -> None:
    kept = BOOKING | {"move": None, "move_failure": "the booker declined the proposed time"}
    api.answers[("GET", f"/api/bookings/{BOOKING_ID}")] = httpx.Response(200, json=kept)

    page = await owner.get(f"/owner/bookings/{BOOKING_ID}")

    assert "The last move did not happen: the booker declined the proposed time." in page.text
