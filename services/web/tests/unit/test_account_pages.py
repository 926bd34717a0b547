"""Verification, reset and deletion pages over a fake identity: what each form sends, and what
the person reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from .test_admin import ORIGIN, USER_ID, csrf_of
from .test_pages import browser_of

GOOD_TOKEN = "good-token"
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
        if path.endswith("/confirm") and body and body["token"] != GOOD_TOKEN:
            problem = {"status": 400, "title": "Bad Request", "detail": "not valid",
                       "errors": [{"field": "token", "message": "not valid"}]}  # fmt: skip
            return httpx.Response(400, json=problem)
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


async def test_opening_a_verification_link_uses_nothing_until_the_button_is_pressed(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    page = await browser.get(f"/verify-email?token={GOOD_TOKEN}")
    assert page.status_code == 200
    assert identity.sent == []  # a mail scanner following the link uses nothing up

    done = await post(browser, page.url.path + "?token=x", "/verify-email", token=GOOD_TOKEN)
    bad = await post(browser, page.url.path + "?token=x", "/verify-email", token="used")

    assert ("POST", "/api/auth/email-verification/confirm", {"token": GOOD_TOKEN}) in identity.sent
    assert done.status_code == 200
    assert "Your email is verified" in done.text
    assert bad.status_code == 400
    assert "not valid any more" in bad.text


async def test_asking_for_a_reset_answers_alike_and_the_link_sets_a_new_password(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    signin = await browser.get("/sign-in")
    asked = await post(browser, "/forgot-password", "/forgot-password", email="who@x.y")
    short = await post(
        browser, f"/reset-password?token={GOOD_TOKEN}", "/reset-password",
        token=GOOD_TOKEN, password="short",
    )  # fmt: skip
    reset = await post(
        browser, f"/reset-password?token={GOOD_TOKEN}", "/reset-password",
        token=GOOD_TOKEN, password="a new password",
    )  # fmt: skip

    assert 'href="/forgot-password"' in signin.text
    assert "If an account has the email who@x.y, we sent it a link" in asked.text
    assert short.status_code == 422
    assert 'id="password-error"' in short.text
    assert reset.status_code == 303
    assert reset.headers["location"] == "/sign-in"
    assert "Your password is changed" in (await browser.get("/sign-in")).text
    assert identity.sent[-1][2] == {"token": GOOD_TOKEN, "password": "a new password"}


async def test_an_unverified_person_can_ask_for_a_new_link(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    await sign_in(browser)
    account = await browser.get("/account")
    resent = await post(browser, "/account", "/account/verification")

    assert "Send a new verification link" in account.text
    assert resent.status_code == 303
    assert ("POST", "/api/auth/email-verification", {}) in identity.sent
    assert "We sent you a new verification link" in (await browser.get("/account")).text


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
