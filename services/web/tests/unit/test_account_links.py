"""The pages behind identity's emailed links, over a fake API: opening a link spends nothing,
the page's form does; a spent link says so; a reset signs the browser out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from .test_pages import browser_of, csrf_of

SPENT = {"title": "Bad Request", "status": 400, "detail": "the link is not valid"}


class FakeIdentity:
    """Answers the account-link routes; records what the web asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.answers: dict[str, httpx.Response] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        self.calls.append((request.url.path, body))
        return self.answers.get(request.url.path, httpx.Response(204))


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
async def browser(identity: FakeIdentity) -> AsyncIterator[httpx.AsyncClient]:
    async for client in browser_of(identity):
        yield client


async def test_opening_a_verification_link_spends_nothing_and_its_button_confirms(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    page = await browser.get("/verify-email", params={"token": "tok-123"})
    assert identity.calls == []
    assert 'name="token" value="tok-123"' in page.text

    done = await browser.post(
        "/verify-email", data={"token": "tok-123", "csrf_token": csrf_of(page)}
    )

    assert identity.calls == [("/api/auth/email-verification/confirm", {"token": "tok-123"})]
    assert done.status_code == 200
    assert "your email address is confirmed" in done.text


async def test_a_spent_verification_link_says_so_and_where_to_get_another(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    identity.answers["/api/auth/email-verification/confirm"] = httpx.Response(400, json=SPENT)
    page = await browser.get("/verify-email", params={"token": "old"})

    done = await browser.post("/verify-email", data={"token": "old", "csrf_token": csrf_of(page)})

    assert done.status_code == 400
    assert "expired or was used already" in done.text
    assert 'href="/account"' in done.text


async def test_forgot_password_answers_alike_and_asks_for_an_address_first(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    identity.answers["/api/auth/password-reset"] = httpx.Response(202)
    form = await browser.get("/forgot-password")
    csrf = csrf_of(form)

    blank = await browser.post("/forgot-password", data={"email": "", "csrf_token": csrf})
    sent = await browser.post(
        "/forgot-password", data={"email": "who@example.com", "csrf_token": csrf}
    )

    assert blank.status_code == 422
    assert "Enter your email address." in blank.text
    assert identity.calls == [("/api/auth/password-reset", {"email": "who@example.com"})]
    assert sent.status_code == 200
    assert "If an account has the email who@example.com" in sent.text


async def test_a_new_password_is_checked_then_saved_and_the_browser_signs_in_again(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    page = await browser.get("/reset-password", params={"token": "reset-1"})
    csrf = csrf_of(page)

    short = await browser.post(
        "/reset-password", data={"token": "reset-1", "password": "short", "csrf_token": csrf}
    )
    saved = await browser.post(
        "/reset-password",
        data={"token": "reset-1", "password": "a long new password", "csrf_token": csrf},
    )
    sign_in = await browser.get(saved.headers["location"])

    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    asked = {"token": "reset-1", "password": "a long new password"}
    assert identity.calls == [("/api/auth/password-reset/confirm", asked)]
    assert (saved.status_code, saved.headers["location"]) == (303, "/sign-in")
    assert "Your password is changed. Sign in with the new one." in sign_in.text


async def test_a_spent_reset_link_offers_a_new_one(
    browser: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    identity.answers["/api/auth/password-reset/confirm"] = httpx.Response(400, json=SPENT)
    page = await browser.get("/reset-password", params={"token": "used"})

    refused = await browser.post(
        "/reset-password",
        data={"token": "used", "password": "a long new password", "csrf_token": csrf_of(page)},
    )

    assert refused.status_code == 400
    assert "expired or was used already" in refused.text
    assert 'href="/forgot-password"' in refused.text
