"""The account page's Emails section over a fake API: it shows the person's choices, a save
sends both (an unticked box as off) and says "Saved."."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from .test_admin import ORIGIN, csrf_of, signed_in

ME = {"id": "u-1", "name": "Bea", "email": "bea@example.com", "role": "booker"}


class FakeApi:
    """Identity's sign-in and /me, and notifications' preferences, kept between calls."""

    def __init__(self) -> None:
        self.chosen: dict[str, bool] | None = {"reminders": True, "messages": False}
        self.sent: list[tuple[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/auth/sign-in":
            return httpx.Response(200, json={"user": ME, "access_token": "t", "expires_in": 900})
        if path == "/api/users/me":
            return httpx.Response(200, json=ME)
        if path == "/api/notifications/preferences":
            if self.chosen is None:
                return httpx.Response(503)
            if request.method == "PUT":
                self.chosen = json.loads(request.content)
                self.sent.append((request.headers["authorization"], self.chosen))
            return httpx.Response(200, json=self.chosen)
        return httpx.Response(404, json={"title": "Not Found", "status": 404})


@pytest.fixture
def fake() -> FakeApi:
    return FakeApi()


@pytest.fixture
async def browser(fake: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    async for client in signed_in(fake):
        yield client


async def test_the_account_page_shows_each_choice_as_kept(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/account")

    assert page.status_code == 200
    assert 'id="email-preferences"' in page.text
    assert 'name="reminders" value="on" checked' in page.text
    assert 'name="messages" value="on">' in page.text


async def test_saving_sends_both_choices_as_the_person_and_says_saved(
    browser: httpx.AsyncClient, fake: FakeApi
) -> None:
    csrf = csrf_of(await browser.get("/account"))

    # Reminders unticked (not posted), messages ticked.
    saved = await browser.post(
        "/account/email-preferences", data={"messages": "on", "csrf_token": csrf}, headers=ORIGIN
    )
    after = await browser.get(saved.headers["location"])

    assert saved.status_code == 303
    assert fake.sent == [("Bearer t", {"reminders": False, "messages": True})]
    assert "Saved." in after.text
    assert 'name="reminders" value="on">' in after.text
    assert 'name="messages" value="on" checked' in after.text


async def test_saving_without_the_csrf_token_changes_nothing(
    browser: httpx.AsyncClient, fake: FakeApi
) -> None:
    refused = await browser.post(
        "/account/email-preferences", data={"messages": "on"}, headers=ORIGIN
    )

    assert refused.status_code == 403
    assert fake.sent == []


async def test_the_account_page_still_opens_when_notifications_is_down(
    browser: httpx.AsyncClient, fake: FakeApi
) -> None:
    fake.chosen = None

    page = await browser.get("/account")

    assert page.status_code == 200
    assert "bea@example.com" in page.text
    assert "cannot reach your email settings" in page.text
