"""The booker's pages over a fake API: what each page shows, and each refusal beside its field."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from web.app import create_app
from web.config import WebSettings
from web.pages import booker, my_bookings

BOOKING_ID = "7d1c3f9e-0000-4000-8000-000000000001"
STUDIO_ID = "5a1c3f9e-0000-4000-8000-000000000002"
ROOM_ID = "9b1c3f9e-0000-4000-8000-000000000003"
ENGINEER_ID = "e1000000-0000-4000-8000-000000000004"
CABLES_ID = "c1000000-0000-4000-8000-000000000005"
CLEANING_ID = "c2000000-0000-4000-8000-000000000006"
LATER = (datetime.now(UTC) + timedelta(days=3)).replace(hour=13, minute=0, second=0, microsecond=0)
STUDIO = {
    "id": STUDIO_ID, "slug": "sound-lab", "name": "Sound Lab", "timezone": "Europe/Lisbon",
    "currency": "EUR", "minimum_hours": 1, "maximum_hours": 8,
    "rooms": [{"id": ROOM_ID, "name": "Live room", "capacity": 5, "hourly_price_minor": 4500}],
    "add_ons": [
        {"id": ENGINEER_ID, "name": "Engineer", "pricing": "per_hour", "price_minor": 2500,
         "max_quantity": 1, "required": False},
        {"id": CABLES_ID, "name": "Cable", "pricing": "per_item", "price_minor": 300,
         "max_quantity": 10, "required": False},
        {"id": CLEANING_ID, "name": "Cleaning", "pricing": "per_booking", "price_minor": 1000,
         "max_quantity": 1, "required": True},
    ],
}  # fmt: skip


def booking(**changes: Any) -> dict[str, Any]:
    ends = LATER + timedelta(hours=2)
    return {
        "id": BOOKING_ID, "status": "pending_payment", "studio_id": STUDIO_ID, "room_id": ROOM_ID,
        "studio_name": "Sound Lab", "room_name": "Live room", "studio_timezone": "Europe/Lisbon",
        "starts_at": LATER.isoformat(), "ends_at": ends.isoformat(),
        "local_starts_at": LATER.isoformat(), "local_ends_at": ends.isoformat(),
        "price": {"total_minor": 9900, "currency": "EUR"}, "cancellation_policy": "moderate",
        "hold_expires_at": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
        "client_secret": "pi_1_secret_2", "failure_reason": None, "failure_detail": None,
        "cancellation_reason": None, "refund_minor": None, "refunded_minor": 0, "version": 3,
    } | changes  # fmt: skip


class FakeApi:
    """The API's answers by path; what the pages sent is kept to be checked."""

    def __init__(self) -> None:
        self.booking = booking()
        self.sent: list[tuple[str, str, Any]] = []
        self.refuse: dict[str, httpx.Response] = {}
        self.keys: list[str] = []
        self.waits: list[str | None] = []  # the Prefer header of each read of the booking
        self.quoted_add_ons: list[list[str]] = []  # the add_on parameters of each quote
        self.quote_free: bool | None = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        self.sent.append((method, path, body))
        if "idempotency-key" in request.headers:
            self.keys.append(request.headers["idempotency-key"])
        if (method, path) in {(m, p) for m, p in [k.split(" ", 1) for k in self.refuse]}:
            return self.refuse[f"{method} {path}"]
        if path in ("/api/auth/sign-in", "/api/auth/sign-up"):
            user = {"id": "u1", "name": "Ada", "email": "a@b.c", "role": "booker"}
            return httpx.Response(200, json={"user": user, "access_token": "t", "expires_in": 900})
        if path.startswith("/api/studios/") and path.endswith("/reviews"):
            return httpx.Response(201, json={"id": "rev"})
        if path.startswith("/api/studios/"):
            return httpx.Response(200, json=STUDIO)
        if path == "/api/availability":
            slot = {
                "starts_at": "2026-07-01T13:00:00Z",
                "local_starts_at": "2026-07-01T14:00:00+01:00",
            }
            return httpx.Response(200, json={"slots": [slot], "timezone": "Europe/Lisbon"})
        if path == "/api/bookings/quote":
            self.quoted_add_ons.append(sorted(request.url.params.get_list("add_on")))
            chosen = dict(value.split(":") for value in self.quoted_add_ons[-1])
            found = quote(int(request.url.params["attendees"]), chosen) | {"free": self.quote_free}
            return httpx.Response(200, json=found)
        if path == "/api/bookings" and method == "POST":
            return httpx.Response(201, json=self.booking)
        if path == "/api/bookings":
            return httpx.Response(200, json={"items": [self.booking], "total": 1})
        if path.endswith("/messages"):
            return httpx.Response(
                201 if method == "POST" else 200, json=[] if method == "GET" else {}
            )
        if path.endswith("/card-confirmed"):
            return httpx.Response(200, json={"read": 1})
        if path.endswith("/cancellation"):
            return httpx.Response(200, json=cancellation())
        if path == f"/api/bookings/{BOOKING_ID}":
            version = f'"{self.booking["version"]}"'
            self.waits.append(request.headers.get("prefer"))
            if request.headers.get("if-none-match") == version:  # unchanged within the wait
                return httpx.Response(304, headers={"ETag": version})
            return httpx.Response(200, json=self.booking, headers={"ETag": version})
        return httpx.Response(404, json={"title": "Not Found", "status": 404})


def quote(attendees: int = 1, chosen: dict[str, str] | None = None) -> dict[str, Any]:
    """The API's quote; each add-on chosen (id to quantity) at a flat 10.00, cleaning always."""
    rental = {"kind": "rental", "quantity": 2, "unit_amount_minor": 4500, "amount_minor": 9000}
    fee = {"kind": "platform_fee", "quantity": None, "percent": "10", "amount_minor": 900}
    bought = (chosen or {}) | {CLEANING_ID: "1"}
    names = {add_on["id"]: add_on["name"] for add_on in STUDIO["add_ons"]}  # type: ignore[attr-defined]
    add_ons = [
        {"add_on_id": add_on_id, "name": names[add_on_id], "quantity": int(quantity),
         "amount_minor": 1000}
        for add_on_id, quantity in bought.items()
    ]  # fmt: skip
    lines = [
        {"kind": "add_on", "description": f"{line['quantity']} x {line['name']}",
         "amount_minor": 1000}
        for line in add_ons
    ]  # fmt: skip
    return {
        "room_id": ROOM_ID, "starts_at": LATER.isoformat(), "local_starts_at": LATER.isoformat(),
        "ends_at": (LATER + timedelta(hours=2)).isoformat(), "room_name": "Live room",
        "studio_name": "Sound Lab", "lines": [rental, *lines, fee], "subtotal_minor": 9000,
        "total_minor": 9900, "price": {"add_ons": add_ons}, "currency": "EUR",
        "attendees": attendees,
        "cancellation": {"policy": "moderate", "full_refund_until": None},
    }  # fmt: skip


def cancellation() -> dict[str, Any]:
    return {
        "cancellable": True, "refusal": None, "charged_minor": 9900, "refund_minor": 4950,
        "kept_minor": 4950, "currency": "EUR", "policy": "moderate",
        "rule": {"kind": "notice", "min_notice_hours": 24, "percent": 50},
    }  # fmt: skip


def problem(status: int, **body: Any) -> httpx.Response:
    return httpx.Response(status, json={"title": "Refused", "status": status, **body})


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
async def browser(api: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    settings = WebSettings(stripe_publishable_key="pk_test_x")
    transport = httpx.ASGITransport(app=create_app(settings, http=http))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def signed_in(browser: httpx.AsyncClient) -> str:
    token = csrf_of(await browser.get("/sign-in"))
    answer = await browser.post(
        "/sign-in", data={"email": "a@b.c", "password": "pw", "csrf_token": token}
    )
    assert answer.status_code == 303
    return csrf_of(await browser.get("/bookings"))


async def test_the_day_s_free_times_show_on_the_studio_s_clock_with_its_zone(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    page = await browser.get(f"/studios/sound-lab/times?room_id={ROOM_ID}&day=2099-07-01&hours=2")

    assert page.status_code == 200
    assert ">14:00</a>" in page.text
    assert "times in Europe/Lisbon (UTC+" in page.text
    asked = next(sent for sent in api.sent if sent[1] == "/api/availability")
    assert asked[0] == "GET"


async def test_a_wrong_day_is_shown_beside_the_day_field(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/studios/sound-lab/times?day=yesterday")

    assert page.status_code == 422
    assert 'id="day-error"' in page.text
    assert "Enter a day such as" in page.text
    assert 'aria-invalid="true"' in page.text


async def test_htmx_gets_only_the_booking_panel(browser: httpx.AsyncClient) -> None:
    part = await browser.get(
        "/studios/sound-lab/times?day=2099-07-01",
        headers={"HX-Request": "true", "HX-Target": "book"},
    )

    assert part.text.lstrip().startswith('<section id="book"')
    assert "<html" not in part.text


async def test_the_price_is_broken_down_before_booking_and_asks_a_visitor_to_sign_in(
    browser: httpx.AsyncClient,
) -> None:
    query = {"room_id": ROOM_ID, "starts_at": LATER.isoformat(), "hours": "2"}
    page = await browser.get("/studios/sound-lab/quote", params=query)

    assert page.status_code == 200
    assert "2 hours \u00d7 €45.00" in page.text
    assert "Service fee (10%)" in page.text
    assert "€99.00" in page.text
    assert "Sign in to book" in page.text


async def test_a_time_taken_since_the_list_was_shown_is_said_on_the_price_page(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    query = {"room_id": ROOM_ID, "starts_at": LATER.isoformat(), "hours": "2"}
    api.quote_free = False

    page = await browser.get("/studios/sound-lab/quote", params=query)

    assert "This time is no longer free." in page.text
    assert "Book and pay" not in page.text


async def test_the_number_of_people_goes_from_the_times_to_the_price_and_the_booking(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    times = await browser.get(
        f"/studios/sound-lab/times?room_id={ROOM_ID}&day=2099-07-01&hours=2&people=3"
    )
    csrf = await signed_in(browser)
    query = {"room_id": ROOM_ID, "starts_at": LATER.isoformat(), "hours": "2", "people": "3"}
    price = await browser.get("/studios/sound-lab/quote", params=query)
    await browser.post(
        "/bookings",
        data={"csrf_token": csrf, "studio_id": STUDIO_ID, "room_id": ROOM_ID,
              "starts_at": LATER.isoformat(), "hours": "2", "people": "3"},
    )  # fmt: skip

    assert "2 hours · 3 people" in times.text
    assert "hours=2&amp;people=3" in times.text
    assert re.search(r'data-testid="quote-people">3<', price.text)
    assert 'name="people" value="3"' in price.text
    [sent] = [body for method, path, body in api.sent if path == "/api/bookings" and body]
    assert sent["attendees"] == 3


async def test_extras_chosen_on_the_price_page_are_priced_and_booked(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    query = {"room_id": ROOM_ID, "starts_at": LATER.isoformat(), "hours": "2"}
    plain = await browser.get("/studios/sound-lab/quote", params=query)
    extras = {f"extra-{ENGINEER_ID}": "1", f"extra-{CABLES_ID}": "4"}
    priced = await browser.get("/studios/sound-lab/quote", params=query | extras)
    await browser.post(
        "/bookings",
        data={"csrf_token": csrf, "studio_id": STUDIO_ID, "room_id": ROOM_ID,
              "starts_at": LATER.isoformat(), "hours": "2", f"extra-{CABLES_ID}": "4",
              f"extra-{ENGINEER_ID}": "1", "extra-nonsense": "lots"},
    )  # fmt: skip

    assert 'type="checkbox" name="extra-' + ENGINEER_ID + '" value="1">' in plain.text
    assert 'Cleaning · €10.00 a booking</span> <span class="meta">included' in plain.text
    assert "Cable · €3.00 each" in plain.text
    assert api.quoted_add_ons == [[], [f"{CABLES_ID}:4", f"{ENGINEER_ID}:1"]]
    assert 'name="extra-' + ENGINEER_ID + '" value="1" checked' in priced.text
    assert 'value="4" inputmode' in priced.text
    assert ">4 x Cable</th>" in priced.text
    assert f'<input type="hidden" name="extra-{CABLES_ID}" value="4">' in priced.text
    [sent] = [body for method, path, body in api.sent if path == "/api/bookings" and body]
    assert sorted(sent["add_ons"], key=lambda c: c["quantity"]) == [
        {"add_on_id": "nonsense", "quantity": 0},
        {"add_on_id": ENGINEER_ID, "quantity": 1},
        {"add_on_id": CABLES_ID, "quantity": 4},
    ]


async def test_more_people_than_the_room_holds_is_refused_beside_the_people_field(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    crowd = await browser.get(f"/studios/sound-lab/times?room_id={ROOM_ID}&people=9")
    nonsense = await browser.get(f"/studios/sound-lab/quote?room_id={ROOM_ID}&people=lots")

    assert crowd.status_code == 422
    assert '<p class="error" id="people-error">Live room holds 1 to 5 people.</p>' in crowd.text
    assert nonsense.status_code == 400
    assert not [path for _, path, _ in api.sent if path == "/api/availability"]


async def test_a_time_taken_meanwhile_offers_the_day_s_other_times(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.refuse["POST /api/bookings"] = problem(409, reason="slots_unavailable")

    page = await browser.post(
        "/bookings",
        data={"csrf_token": csrf, "studio_id": STUDIO_ID, "room_id": ROOM_ID,
              "starts_at": LATER.isoformat(), "hours": "2"},
    )  # fmt: skip

    assert page.status_code == 409
    assert "Someone else has just booked that time" in page.text
    assert ">14:00</a>" in page.text


async def test_booking_goes_to_the_checkout_with_the_hold_and_stripe_s_card_form(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)

    made = await browser.post(
        "/bookings",
        data={"csrf_token": csrf, "studio_id": STUDIO_ID, "room_id": ROOM_ID,
              "starts_at": LATER.isoformat(), "hours": "2", "request_key": "k1"},
    )  # fmt: skip
    page = await browser.get(made.headers["location"])

    assert made.status_code == 303
    assert ("POST", "/api/bookings") in [(m, p) for m, p, _ in api.sent]
    assert api.keys == ["k1"]
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in page.text
    assert 'data-client-secret="pi_1_secret_2"' in page.text
    assert 'data-publishable-key="pk_test_x"' in page.text
    assert "We hold this time for you until" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com" in csp
    assert "https://api.stripe.com" in csp


async def test_a_booking_no_longer_awaiting_payment_leaves_the_checkout(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    api.booking = booking(status="confirmed", client_secret=None)

    page = await browser.get(f"/bookings/{BOOKING_ID}/checkout")

    assert page.status_code == 303
    assert page.headers["location"] == f"/bookings/{BOOKING_ID}"


async def test_a_booking_on_its_way_is_long_polled_and_reloads_when_it_changes(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    api.booking = booking(status="confirming")

    page = await browser.get(f"/bookings/{BOOKING_ID}")
    status_url = f"/bookings/{BOOKING_ID}/status?was=confirming&version=3"
    same = await browser.get(status_url)
    api.booking = booking(status="confirmed", version=4)
    changed = await browser.get(status_url)

    assert f'hx-get="{status_url}"' in page.text
    assert 'hx-trigger="load, booking-unchanged delay:50ms, every 30s"' in page.text
    assert "<progress" in page.text
    assert "Payment accepted, confirming your time" in page.text
    # One request waits at the API for a change; unchanged, htmx is told to ask again.
    assert api.waits[-2:] == ["wait=20", "wait=20"]
    assert (same.status_code, same.headers["hx-trigger"]) == (204, "booking-unchanged")
    assert "hx-refresh" not in same.headers
    assert changed.headers["hx-refresh"] == "true"


async def test_back_from_stripe_with_the_card_through_payments_reads_it_at_once(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    """Not waiting for Stripe's webhook, whose delivery Stripe times."""
    await signed_in(browser)
    card_confirmed = ("POST", f"/api/payments/bookings/{BOOKING_ID}/card-confirmed", {})

    visited = await browser.get(f"/bookings/{BOOKING_ID}")
    asked_before = api.sent.count(card_confirmed)
    back = await browser.get(f"/bookings/{BOOKING_ID}?redirect_status=succeeded")
    asked_after_paying = api.sent.count(card_confirmed)
    api.booking = booking(status="confirmed")
    reloaded = await browser.get(f"/bookings/{BOOKING_ID}?redirect_status=succeeded")
    api.booking = booking()
    api.refuse[f"POST /api/payments/bookings/{BOOKING_ID}/card-confirmed"] = problem(503)
    payments_down = await browser.get(f"/bookings/{BOOKING_ID}?redirect_status=succeeded")

    assert visited.status_code == back.status_code == reloaded.status_code == 200
    assert (asked_before, asked_after_paying) == (0, 1)
    assert "Checking your payment" in back.text
    # Confirmed meanwhile: nothing waits for the card, so payments is not asked again.
    assert "Confirmed" in reloaded.text
    assert api.sent.count(card_confirmed) == 2  # the second: while payments was down
    assert payments_down.status_code == 200
    assert "Checking your payment" in payments_down.text


async def test_a_time_held_after_the_request_s_wait_goes_on_to_the_card_form(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)

    api.booking = booking(client_secret=None)
    preparing = await browser.get(f"/bookings/{BOOKING_ID}/checkout")
    page = await browser.get(preparing.headers["location"])
    api.booking = booking(version=4)
    ready = await browser.get(f"/bookings/{BOOKING_ID}/status?was=preparing_payment&version=3")

    assert "Preparing the card form" in page.text
    assert "status?was=preparing_payment&version=3" in page.text
    assert ready.headers["hx-redirect"] == f"/bookings/{BOOKING_ID}/checkout"


async def test_a_lost_time_says_why_and_offers_other_times(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    api.booking = booking(status="failed", failure_reason="slots_unavailable")

    page = await browser.get(f"/bookings/{BOOKING_ID}")

    assert "Someone else booked that time first." in page.text
    assert f"/studios/{STUDIO_ID}/times?room_id={ROOM_ID}&amp;day=" in page.text
    assert "hx-trigger" not in page.text


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        # The card authorized, then the slot lost: the authorization is let go.
        ({"status": "failed", "failure_reason": "slots_lost", "refund_minor": 0},
         "You have not been charged."),
        # Taken at once (weeks ahead), then the slot lost: a refund promised, then made.
        ({"status": "failed", "failure_reason": "slots_lost", "refund_minor": 9900},
         "€99.00 will be refunded to your card."),
        ({"status": "failed", "failure_reason": "slots_lost", "refund_minor": 9900,
          "refunded_minor": 9900}, "€99.00 has been refunded to your card."),
        # The hold lapsed while the payment, taken at once, was on its way: payments gave it back.
        ({"status": "cancelled", "cancellation_reason": "hold_expired", "refund_minor": 0,
          "refunded_minor": 9900}, "€99.00 has been refunded to your card."),
        ({"status": "cancelled", "cancellation_reason": "hold_expired", "refund_minor": 0},
         "You have not been charged."),
    ],
)  # fmt: skip
async def test_a_booking_that_did_not_happen_says_whether_money_comes_back(
    browser: httpx.AsyncClient, api: FakeApi, changes: dict[str, Any], said: str
) -> None:
    await signed_in(browser)
    api.booking = booking(**changes)

    page = await browser.get(f"/bookings/{BOOKING_ID}")

    assert said in page.text
    assert ("not been charged" in page.text) is (said == "You have not been charged.")


async def test_a_request_says_when_the_studio_answers_and_a_declined_one_offers_other_times(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    respond_by = (LATER - timedelta(days=1)).isoformat()
    api.booking = booking(status="awaiting_owner", respond_by=respond_by)
    waiting = await browser.get(f"/bookings/{BOOKING_ID}")
    api.booking = booking(
        status="cancelled", cancellation_reason="requested", cancelled_by="owner",
        request_answer="declined", refund_minor=9900,
    )  # fmt: skip
    declined = await browser.get(f"/bookings/{BOOKING_ID}")

    assert ">Waiting for the studio to accept<" in waiting.text
    assert "your time is kept until the studio answers, by" in waiting.text
    assert "hx-trigger" not in waiting.text  # an owner's answer takes hours: no polling
    assert "The studio declined your request. You get everything back" in declined.text
    assert f"/studios/{STUDIO_ID}/times?room_id={ROOM_ID}&amp;day=" in declined.text


async def test_my_bookings_list_the_studio_room_time_amount_and_status(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    api.booking = booking(status="confirmed")

    page = await browser.get("/bookings?view=upcoming")

    assert "Sound Lab" in page.text
    assert "Live room" in page.text
    assert "€99.00" in page.text
    assert "Confirmed" in page.text
    assert "13:00" in page.text or "14:00" in page.text
    listed = next(sent for sent in api.sent if sent[1] == "/api/bookings")
    assert listed[0] == "GET"


async def test_cancelling_shows_the_refund_first_then_cancels(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.booking = booking(status="confirmed")

    preview = await browser.get(f"/bookings/{BOOKING_ID}/cancel")
    api.booking = booking(status="cancelled", refund_minor=4950)
    done = await browser.post(f"/bookings/{BOOKING_ID}/cancel", data={"csrf_token": csrf})
    after = await browser.get(done.headers["location"])

    assert "You get back €49.50 of the €99.00 you paid" in preview.text
    assert ("PATCH", f"/api/bookings/{BOOKING_ID}", {"action": "cancel"}) in api.sent
    assert "Your booking is cancelled. €49.50 will be refunded to your card." in after.text


async def test_an_empty_message_is_refused_beside_the_field(browser: httpx.AsyncClient) -> None:
    csrf = await signed_in(browser)

    page = await browser.post(
        f"/bookings/{BOOKING_ID}/messages", data={"csrf_token": csrf, "body": " "}
    )

    assert page.status_code == 422
    assert '<p class="error" id="body-error">Write a message first.</p>' in page.text


async def test_a_message_is_sent_to_the_booking(browser: httpx.AsyncClient, api: FakeApi) -> None:
    csrf = await signed_in(browser)

    sent = await browser.post(
        f"/bookings/{BOOKING_ID}/messages", data={"csrf_token": csrf, "body": "Parking?"}
    )

    assert sent.status_code == 303
    assert ("POST", f"/api/bookings/{BOOKING_ID}/messages", {"body": "Parking?"}) in api.sent


async def test_a_review_refused_by_catalog_is_shown_beside_its_field(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.booking = booking(status="completed")
    api.refuse[f"POST /api/studios/{STUDIO_ID}/reviews"] = problem(
        422, errors=[{"field": "body.text", "message": "must not contain NUL"}]
    )

    page = await browser.post(
        f"/bookings/{BOOKING_ID}/review", data={"csrf_token": csrf, "rating": "5", "text": "x"}
    )

    assert page.status_code == 422
    assert 'id="text-error">must not contain NUL<' in page.text


async def test_every_booker_route_that_changes_something_checks_the_csrf_token(
    browser: httpx.AsyncClient,
) -> None:
    await signed_in(browser)
    unsafe = [
        route.path.replace("{booking_id}", BOOKING_ID)
        for router in (booker.router, my_bookings.router) for route in router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}
    ]  # fmt: skip

    answers = [(await browser.post(path, data={})).status_code for path in unsafe]

    assert answers == [403] * len(unsafe)
    assert len(unsafe) == 4


def movable(**changes: Any) -> dict[str, Any]:
    """A confirmed booking that may still be moved."""
    return booking(
        status="confirmed", attendees=2, move=None, move_failure=None,
        movable_until=(LATER - timedelta(days=1)).isoformat(),
        price={"total_minor": 9900, "currency": "EUR", "hours": 2},
    ) | changes  # fmt: skip


async def test_a_confirmed_booking_is_moved_to_a_free_time_of_the_day_chosen(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.booking = movable()

    shown = await browser.get(f"/bookings/{BOOKING_ID}")
    times = await browser.get(f"/bookings/{BOOKING_ID}/move?room_id={ROOM_ID}&day=2099-07-01")
    moved = await browser.post(
        f"/bookings/{BOOKING_ID}/move",
        data={"csrf_token": csrf, "room_id": ROOM_ID, "starts_at": "2099-07-01T13:00:00+00:00"},
    )
    after = await browser.get(moved.headers["location"])

    assert f'href="/bookings/{BOOKING_ID}/move">Change the time</a>' in shown.text
    assert times.status_code == 200
    assert 'aria-label="Move to 14:00"' in times.text
    assert "at no cost" in times.text
    asked = {
        "action": "reschedule",
        "room_id": ROOM_ID,
        "starts_at": "2099-07-01T13:00:00+00:00",
        "ends_at": "2099-07-01T15:00:00+00:00",
    }
    assert ("PATCH", f"/api/bookings/{BOOKING_ID}", asked) in api.sent
    assert moved.status_code == 303
    assert "The booking has moved to" in after.text


async def test_a_time_just_taken_shows_why_and_the_day_s_times_again(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.booking = movable()
    why = "The booking could not be moved: the new time is not available (already_reserved)."
    api.refuse[f"PATCH /api/bookings/{BOOKING_ID}"] = problem(409, detail=why)

    refused = await browser.post(
        f"/bookings/{BOOKING_ID}/move",
        data={"csrf_token": csrf, "room_id": ROOM_ID, "starts_at": "2099-07-01T13:00:00+00:00"},
    )

    assert refused.status_code == 409
    assert why in refused.text
    assert 'aria-label="Move to 14:00"' in refused.text  # choose another


async def test_a_booking_past_its_cutoff_or_moving_offers_no_change(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    await signed_in(browser)
    api.booking = movable(movable_until=None)
    past_cutoff = await browser.get(f"/bookings/{BOOKING_ID}")
    api.booking = movable(move={"room_id": ROOM_ID})
    moving = await browser.get(f"/bookings/{BOOKING_ID}")

    assert "Change the time" not in past_cutoff.text
    assert "Change the time" not in moving.text
    assert "Moving your booking to the new time" in moving.text


async def test_the_booker_accepts_the_time_the_studio_proposed(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    proposed_at = LATER + timedelta(days=1)
    proposal = {
        "room_id": ROOM_ID, "starts_at": proposed_at.isoformat(),
        "ends_at": (proposed_at + timedelta(hours=2)).isoformat(),
        "answer_by": (LATER - timedelta(days=1)).isoformat(),
    }  # fmt: skip
    api.booking = movable(move=proposal)

    shown = await browser.get(f"/bookings/{BOOKING_ID}")
    api.booking = movable(starts_at=proposed_at.isoformat())
    answered = await browser.post(
        f"/bookings/{BOOKING_ID}/move/answer", data={"csrf_token": csrf, "answer": "accept"}
    )
    after = await browser.get(answered.headers["location"])

    assert "The studio proposes another time" in shown.text
    assert "Change the time" not in shown.text
    assert ("PATCH", f"/api/bookings/{BOOKING_ID}", {"action": "accept_move"}) in api.sent
    assert "The booking has moved to" in after.text


async def test_a_longer_move_takes_the_booker_to_pay_the_difference(
    browser: httpx.AsyncClient, api: FakeApi
) -> None:
    csrf = await signed_in(browser)
    api.booking = movable()
    longer = await browser.get(f"/bookings/{BOOKING_ID}/move?day=2099-07-01&hours=3")
    pay_by = (datetime.now(UTC) + timedelta(minutes=9)).isoformat()
    due = {
        "room_id": ROOM_ID, "starts_at": "2099-07-01T13:00:00+00:00",
        "ends_at": "2099-07-01T16:00:00+00:00", "answer_by": None, "total_minor": 14850,
        "amount_due_minor": 4950, "pay_by": pay_by, "client_secret": "pi_move_secret",
        "payment_error": None,
    }  # fmt: skip
    api.booking = movable(move=due)

    asked = await browser.post(
        f"/bookings/{BOOKING_ID}/move",
        data={
            "csrf_token": csrf,
            "room_id": ROOM_ID,
            "hours": "3",
            "starts_at": "2099-07-01T13:00:00+00:00",
        },
    )
    pay = await browser.get(asked.headers["location"])
    shown = await browser.get(f"/bookings/{BOOKING_ID}")
    just_paid = await browser.get(f"/bookings/{BOOKING_ID}?redirect_status=succeeded")
    payments_asked = [sent for sent in api.sent if sent[1].endswith("/card-confirmed")]
    api.booking = movable()  # paid and moved, or let go: nothing is due any more
    nothing_due = await browser.get(f"/bookings/{BOOKING_ID}/move/pay")

    assert longer.status_code == 200
    assert "pay the difference before the booking moves" in longer.text
    [(_, _, sent)] = [sent for sent in api.sent if sent[0] == "PATCH"]
    assert sent["ends_at"] == "2099-07-01T16:00:00+00:00"
    assert (asked.status_code, asked.headers["location"]) == (
        303,
        f"/bookings/{BOOKING_ID}/move/pay",
    )
    assert "Pay the difference" in pay.text
    assert 'data-client-secret="pi_move_secret"' in pay.text
    assert "Pay €49.50" in pay.text
    assert "148.50" in pay.text  # the new price
    assert f'href="/bookings/{BOOKING_ID}/move/pay">pay the difference</a>' in shown.text
    assert f'hx-get="/bookings/{BOOKING_ID}/status' in shown.text  # it follows the move
    assert "Your payment of the difference is being checked" in just_paid.text
    assert "pay the difference</a>" not in just_paid.text
    assert payments_asked == [("POST", f"/api/payments/bookings/{BOOKING_ID}/card-confirmed", {})]
    assert (nothing_due.status_code, nothing_due.headers["location"]) == (
        303,
        f"/bookings/{BOOKING_ID}",
    )
