"""The app over a fake API: CSRF on every unsafe route, security headers, errors as pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi.routing import APIRoute

from web.app import create_app
from web.config import WebSettings
from web.pages import account, account_links, public

Handler = Callable[[httpx.Request], httpx.Response]


def fake_api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/auth/sign-in":
        return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
    if request.url.path.startswith("/api/studios/"):
        return httpx.Response(404, json={"title": "Not Found", "status": 404})
    return httpx.Response(200, json={"items": [], "next_cursor": None})


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


async def browser_of(handler: Handler) -> AsyncIterator[httpx.AsyncClient]:
    api = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    app = create_app(WebSettings(), http=api)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as browser:
        yield browser


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async for client in browser_of(fake_api):
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def test_a_form_without_the_session_s_csrf_token_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    token = csrf_of(await browser.get("/sign-in"))

    missing = await browser.post("/sign-in", data={"email": "a@b.c", "password": "x"})
    wrong = await browser.post("/sign-in", data={"email": "a@b.c", "password": "x",
                                                 "csrf_token": "guess"})  # fmt: skip
    elsewhere = await browser.post(
        "/sign-in", data={"email": "a@b.c", "password": "x", "csrf_token": token},
        headers={"Origin": "https://evil.test"},
    )  # fmt: skip
    right = await browser.post(
        "/sign-in", data={"email": "a@b.c", "password": "x", "csrf_token": token},
        headers={"Origin": "http://shop.test"},
    )  # fmt: skip

    assert [missing.status_code, wrong.status_code, elsewhere.status_code] == [403, 403, 403]
    assert "This form has expired" in missing.text
    assert right.status_code == 422
    assert 'id="password-error"' in right.text
    assert "do not match" in right.text


async def test_every_unsafe_route_checks_the_csrf_token() -> None:
    unsafe = [
        route for router in (public.router, account.router, account_links.router)
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}
    ]  # fmt: skip
    async for client in browser_of(fake_api):
        await client.get("/sign-in")
        for route in unsafe:
            response = await client.post(route.path, data={})
            assert response.status_code == 403, route.path
    assert len(unsafe) >= 3


async def test_pages_carry_security_headers_and_an_httponly_lax_cookie(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/sign-in")

    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here
    async for first_visit in browser_of(fake_api):
        over_https = await first_visit.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "secure" in over_https.headers["set-cookie"].lower()


async def test_no_inline_script_in_a_page(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/search")

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) == []
    assert " style=" not in page.text


async def test_an_unknown_studio_is_a_not_found_page(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/studios/no-such-studio")

    assert page.status_code == 404
    assert "We could not find that page" in page.text
    assert page.headers["content-type"].startswith("text/html")


async def test_the_api_down_is_a_page_that_says_so() -> None:
    async for client in browser_of(down):
        page = await client.get("/")

    assert page.status_code == 503
    assert "We cannot reach our studios right now" in page.text


async def test_a_page_for_signed_in_people_sends_others_to_sign_in(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/account")

    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=/account"


async def test_an_unexpected_error_is_a_500_page_with_its_reference() -> None:
    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"not": "a search page"})

    async for client in browser_of(odd):
        page = await client.get("/", headers={"X-Request-Id": "req-42"})

    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "req-42" in page.text
    assert "KeyError" not in page.text
