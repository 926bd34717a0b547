"""The account page over a fake identity: a new verification link, and deleting the account
(the link pages themselves: test_account_links.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from .test_admin import ORIGIN, USER_ID, csrf_of
from .test_pages import browser_of

PASSWORD = "my password 1"


class FakeIdentity:
    """Answers as identity would for one person; remembers what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        self.sent.append((method, path, body))
        if path == "/api/auth/sign-in":
            user = {"id": USER_ID, "name": "Bea", "email": "bea@x.y", "role": "booker"}
            return httpx.Response(200, json={"user": user, "access_token": "t", "expires_in": 900})
        if path == "/api/users/me" and method == "DELETE":
            if body != {"password": PASSWORD}:
                return httpx.Response(403, json={"status": 403, "title": "Forbidden"})
            return httpx.Response(204)
        if path == "/api/users/me":
            me = {"id": USER_ID, "name": "Bea", "email": "bea@x.y", "role": "booker",
                  "email_verified": False}  # fmt: skip
            return httpx.Response(200, json=me)
        return httpx.Response(202 if method == "POST" else 204)


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
async def browser(identity: FakeIdentity) -> AsyncIterator[httpx.AsyncClient]:
    async for client in browser_of(identity):
        yield client


async def post(browser: httpx.AsyncClient, page: str, path: str, **form: str) -> httpx.Response:
    csrf = csrf_of(await browser.get(page))
    return await browser.post(path, data={**form, "csrf_token": csrf}, headers=ORIGIN)


async def sign_in(browser: httpx.AsyncClient) -> None:
    answer = await post(browser, "/sign-in", "/sign-in", email="bea@x.y", password=PASSWORD)
    assert answer.status_code == 303


async def test_an_unverified_person_can_ask_for_a_new_link(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    await sign_in(browser)
    account = await browser.get("/account")
    resent = await post(browser, "/account", "/account/email-verification")

    assert "(not confirmed yet)" in account.text
    assert "Send me a new link" in account.text
    assert resent.status_code == 303
    assert ("POST", "/api/auth/email-verification", {}) in identity.sent
    assert "We sent a new link to bea@x.y" in (await browser.get("/account")).text


async def test_deleting_the_account_takes_the_password_then_signs_out(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    await sign_in(browser)

    wrong = await post(browser, "/account", "/account/delete", password="not it")
    deleted = await post(browser, "/account", "/account/delete", password=PASSWORD)
    after = await browser.get(deleted.headers["location"])

    assert wrong.status_code == 422
    assert "That password is not right." in wrong.text
    assert deleted.status_code == 303
    assert "Your account is deleted" in after.text
    assert ("DELETE", "/api/users/me", {"password": PASSWORD}) in identity.sent
    assert (await browser.get("/account")).status_code == 303  # signed out: sent to sign in
