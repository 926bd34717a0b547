"""The admin pages over a fake API: who may open them, and what each form sends."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from web.app import create_app
from web.config import WebSettings
from web.moderation import booking_id, suspension_reason, timeline_rows

STUDIO_ID = "6f1c3d2e-0000-4000-8000-000000000001"
USER_ID = "6f1c3d2e-0000-4000-8000-000000000002"
BOOKING_ID = "6f1c3d2e-0000-4000-8000-000000000003"
ORIGIN = {"Origin": "http://shop.test"}


class FakeApi:
    """Answers as the API would for one admin (or booker) and remembers what was sent."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.sent: list[tuple[str, str, object]] = []
        self.status = "published"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        if method != "GET":
            self.sent.append((method, path, body))
        if path == "/api/auth/sign-in":
            user = {"id": USER_ID, "name": "Ann Admin", "email": "a@b.c", "role": self.role}
            return httpx.Response(200, json={"user": user, "access_token": "t", "expires_in": 900})
        if path == f"/api/studios/{STUDIO_ID}/suspend":
            if body and body["reason"] == "refused":
                problem = {"status": 422, "errors": [{"field": "body.reason", "message": "no"}]}
                return httpx.Response(422, json=problem)
            self.status = "suspended"
        if path.startswith("/api/studios/") and "reviews" not in path:
            if STUDIO_ID not in path:
                return httpx.Response(404, json={"title": "Not Found", "status": 404})
            return httpx.Response(200, json=self.studio())
        if path == f"/api/admin/users/{USER_ID}/role":
            return httpx.Response(200, json={"id": USER_ID, "name": "Bo", "role": "owner"})
        if path == "/api/admin/users":
            person = {"id": USER_ID, "name": "Bo", "email": "bo@x.y", "role": "booker",
                      "created_at": "2026-01-02T03:04:05Z"}  # fmt: skip
            return httpx.Response(200, json={"items": [person], "next_cursor": "c2"})
        if path == f"/api/admin/bookings/{BOOKING_ID}/timeline":
            return httpx.Response(200, json=timeline())
        if path.startswith("/api/admin/bookings/"):
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        return httpx.Response(200, json={"items": [self.studio()], "next_cursor": None})

    def studio(self) -> dict[str, object]:
        return {"id": STUDIO_ID, "slug": "echo-lab", "name": "Echo Lab", "city": "Porto",
                "country": "PT", "owner_id": USER_ID, "status": self.status,
                "suspension_reason": None}  # fmt: skip


def timeline() -> dict[str, object]:
    step = {"kind": "sent", "status_before": None, "status_after": None, "note": "",
            "message_id": None, "causation_id": None, "traceparent": None,
            "actor_id": None}  # fmt: skip
    return {
        "booking_id": BOOKING_ID,
        "status": "confirmed",
        "entries": [
            {**step, "at": "2026-12-02T10:00:01.250+00:00", "name": "ConfirmSlots",
             "status_before": "pending_payment", "status_after": "confirming",
             "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
            {**step, "at": "2026-12-02T11:00:00+01:00", "name": "RequestBooking",
             "trace_id": None},
        ],
    }  # fmt: skip


async def signed_in(fake: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    api = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    app = create_app(WebSettings(), http=api)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as browser:
        token = csrf_of(await browser.get("/sign-in"))
        form = {"email": "a@b.c", "password": "secret", "csrf_token": token}
        assert (await browser.post("/sign-in", data=form, headers=ORIGIN)).status_code == 303
        yield browser


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture
def fake() -> FakeApi:
    return FakeApi("admin")


@pytest.fixture
async def admin(fake: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    async for browser in signed_in(fake):
        yield browser


async def test_an_admin_page_sends_nobody_to_sign_in_and_tells_others_it_is_for_admins() -> None:
    async for booker in signed_in(FakeApi("booker")):
        refused = await booker.get("/admin/users")
        home = await booker.get("/")
    api = httpx.AsyncClient(transport=httpx.MockTransport(FakeApi("admin")))
    app = create_app(WebSettings(), http=api)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://shop.test"
    ) as anonymous:
        nobody = await anonymous.get("/admin")

    assert refused.status_code == 403
    assert "Admins only" in refused.text
    assert 'href="/admin"' not in home.text
    assert nobody.status_code == 303
    assert nobody.headers["location"] == "/sign-in?next=/admin"


async def test_an_admin_sees_the_admin_link_and_the_three_areas(
    admin: httpx.AsyncClient,
) -> None:
    page = await admin.get("/admin")

    assert page.status_code == 200
    assert 'href="/admin"' in page.text
    for area in ("/admin/studios", "/admin/users", "/admin/bookings"):
        assert f'href="{area}"' in page.text


async def test_suspending_sends_the_trimmed_reason_and_shows_the_new_status(
    admin: httpx.AsyncClient, fake: FakeApi
) -> None:
    token = csrf_of(await admin.get(f"/admin/studios/{STUDIO_ID}"))

    done = await admin.post(
        f"/admin/studios/{STUDIO_ID}/suspend",
        data={"reason": "  Fake photos  ", "csrf_token": token}, headers=ORIGIN,
    )  # fmt: skip
    page = await admin.get(done.headers["location"])

    assert done.status_code == 303
    assert fake.sent[-1] == ("POST", f"/api/studios/{STUDIO_ID}/suspend", {"reason": "Fake photos"})
    assert "The studio is suspended" in page.text
    assert "Restore this studio" in page.text


async def test_a_missing_or_refused_reason_is_shown_beside_the_field(
    admin: httpx.AsyncClient, fake: FakeApi
) -> None:
    token = csrf_of(await admin.get(f"/admin/studios/{STUDIO_ID}"))
    url = f"/admin/studios/{STUDIO_ID}/suspend"

    empty = await admin.post(url, data={"reason": " ", "csrf_token": token}, headers=ORIGIN)
    refused = await admin.post(url, data={"reason": "refused", "csrf_token": token},
                               headers=ORIGIN)  # fmt: skip

    assert empty.status_code == refused.status_code == 422
    assert 'id="reason-error"' in empty.text
    assert "Say why the studio is suspended" in empty.text
    assert 'id="reason-error">no<' in refused.text
    suspensions = [call for call in fake.sent if call[1].endswith("/suspend")]
    assert suspensions == [("POST", f"/api/studios/{STUDIO_ID}/suspend", {"reason": "refused"})]


async def test_a_studio_is_found_by_its_slug_or_id_as_well_as_by_words(
    admin: httpx.AsyncClient,
) -> None:
    by_id = await admin.get("/admin/studios", params={"q": STUDIO_ID})
    unknown = await admin.get("/admin/studios", params={"q": "no-such-studio"})

    assert by_id.text.count(f'href="/admin/studios/{STUDIO_ID}"') == 1
    assert unknown.status_code == 200


async def test_search_words_the_api_would_refuse_are_named_beside_the_field(
    admin: httpx.AsyncClient,
) -> None:
    too_long = await admin.get("/admin/studios", params={"q": "x" * 201})
    control = await admin.get("/admin/users", params={"q": "bo\x01"})

    assert too_long.status_code == control.status_code == 422
    assert 'id="q-error">Search with at most 200 characters.<' in too_long.text
    assert 'id="q-error">Search with letters' in control.text


async def test_a_role_change_is_put_and_returns_to_the_same_list(
    admin: httpx.AsyncClient, fake: FakeApi
) -> None:
    listed = await admin.get("/admin/users", params={"q": "bo"})
    token = csrf_of(listed)

    done = await admin.post(
        f"/admin/users/{USER_ID}/role",
        data={"role": "owner", "back": "/admin/users?q=bo", "csrf_token": token}, headers=ORIGIN,
    )  # fmt: skip
    elsewhere = await admin.post(
        f"/admin/users/{USER_ID}/role",
        data={"role": "king", "back": "https://evil.test", "csrf_token": token}, headers=ORIGIN,
    )  # fmt: skip

    assert 'href="/admin/users?q=bo&amp;cursor=c2"' in listed.text
    assert fake.sent[-1] == ("PUT", f"/api/admin/users/{USER_ID}/role", {"role": "owner"})
    assert done.headers["location"] == "/admin/users?q=bo"
    assert elsewhere.headers["location"] == "/admin/users"
    assert "Choose a role" in (await admin.get("/admin/users")).text


async def test_a_booking_s_timeline_lists_its_steps_in_time_order_with_trace_ids(
    admin: httpx.AsyncClient,
) -> None:
    page = await admin.get("/admin/bookings", params={"id": f" {BOOKING_ID} "})
    unknown = await admin.get("/admin/bookings", params={"id": str(uuid.uuid4())})
    not_an_id = await admin.get("/admin/bookings", params={"id": "42"})

    assert page.status_code == 200
    assert page.text.index("RequestBooking") < page.text.index("ConfirmSlots")
    assert "4bf92f3577b34da6a3ce929d0e0e4736" in page.text
    assert "pending payment → confirming" in page.text
    assert unknown.status_code == not_an_id.status_code == 422
    assert "No booking has this id." in unknown.text
    assert 'id="id-error"' in not_an_id.text


def test_timeline_rows_are_oldest_first_in_utc_to_the_millisecond() -> None:
    rows = timeline_rows(timeline()["entries"])  # type: ignore[arg-type]

    assert [row.at for row in rows] == [
        "2026-12-02 10:00:00.000 UTC",
        "2026-12-02 10:00:01.250 UTC",
    ]
    assert rows[1].status_change == "pending payment → confirming"
    assert rows[0].status_change == ""


def test_a_reason_is_trimmed_and_bounded_and_an_id_must_be_a_uuid() -> None:
    assert suspension_reason("  ok ") == ("ok", None)
    assert suspension_reason("")[1] is not None
    assert suspension_reason("x" * 1001)[1] == "Keep the reason within 1000 characters."
    assert booking_id(f" {BOOKING_ID}\n") == (uuid.UUID(BOOKING_ID), None)
    assert booking_id("1; drop table")[0] is None
