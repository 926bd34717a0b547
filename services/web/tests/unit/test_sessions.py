"""The session cookie: encrypted, tamper-evident, bounded, rotatable; refresh before expiry."""

from __future__ import annotations

import time

import httpx
import pytest
from cryptography.fernet import Fernet, MultiFernet

from web.accounts import SignInRequired, fresh_tokens
from web.api_client import ApiClient
from web.sessions import (
    MAX_COOKIE_BYTES,
    Session,
    SessionCodec,
    SessionTooLarge,
    SignedInUser,
    Tokens,
)

USER = SignedInUser(id="u-1", name="Ada", email="ada@example.com", role="booker")


def signed_in(expires_in: float, refresh: str | None = "r-1") -> Session:
    tokens = Tokens("access-1", time.time() + expires_in, refresh, time.time() + 3600)
    return Session().signing_in(USER, tokens)


def test_a_session_comes_back_from_its_cookie_and_the_cookie_hides_the_tokens() -> None:
    codec = SessionCodec(MultiFernet([Fernet(Fernet.generate_key())]), 3600)
    session = signed_in(900)

    cookie = codec.encode(session)

    assert "access-1" not in cookie
    assert codec.decode(cookie) == session


def test_a_tampered_foreign_or_old_cookie_is_no_session() -> None:
    key = Fernet.generate_key()
    codec = SessionCodec(MultiFernet([Fernet(key)]), 3600)
    cookie = codec.encode(signed_in(900))
    flipped = cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:]
    other = SessionCodec(MultiFernet([Fernet(Fernet.generate_key())]), 3600)
    expired = SessionCodec(MultiFernet([Fernet(key)]), 1)

    assert codec.decode(flipped) is None
    assert other.decode(cookie) is None
    assert codec.decode("not a cookie") is None
    assert codec.decode("x" * (MAX_COOKIE_BYTES + 1)) is None
    time.sleep(2.1)
    assert expired.decode(cookie) is None


def test_a_cookie_under_the_previous_key_still_reads_after_rotation() -> None:
    old, new = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())
    cookie = SessionCodec(MultiFernet([old]), 3600).encode(signed_in(900))

    rotated = SessionCodec(MultiFernet([new, old]), 3600)

    assert rotated.decode(cookie) is not None


def test_a_session_too_large_for_a_cookie_is_refused() -> None:
    codec = SessionCodec(MultiFernet([Fernet(Fernet.generate_key())]), 3600)
    huge = Session().signing_in(USER, Tokens("x" * 4000, time.time() + 900))

    with pytest.raises(SessionTooLarge):
        codec.encode(huge)


def test_signing_in_changes_the_csrf_token() -> None:
    before = Session()

    assert before.signing_in(USER, Tokens("a", 0)).csrf_token != before.csrf_token


def _api(handler: httpx.MockTransport) -> ApiClient:
    return ApiClient(httpx.AsyncClient(transport=handler), "http://gateway", 5)


async def test_a_token_about_to_expire_is_refreshed_before_the_call() -> None:
    asked: list[dict[str, str]] = []

    def identity(request: httpx.Request) -> httpx.Response:
        asked.append({"path": request.url.path, "body": request.content.decode()})
        return httpx.Response(200, json={
            "access_token": "access-2", "expires_in": 900, "refresh_token": "r-2",
            "refresh_expires_in": 86400, "user": {"id": "u-1", "name": "Ada",
            "email": "ada@example.com", "role": "booker"}})  # fmt: skip

    tokens = await fresh_tokens(_api(httpx.MockTransport(identity)), signed_in(30), 60)

    assert asked == [{"path": "/api/auth/refresh", "body": '{"refresh_token":"r-1"}'}]
    assert tokens.access_token == "access-2"
    assert tokens.refresh_token == "r-2"


async def test_a_fresh_token_is_used_as_it_is() -> None:
    def nobody(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no call expected")

    tokens = await fresh_tokens(_api(httpx.MockTransport(nobody)), signed_in(900), 60)

    assert tokens.access_token == "access-1"


@pytest.mark.parametrize("refresh", ["r-1", None])
async def test_a_refused_or_missing_refresh_signs_the_person_out(refresh: str | None) -> None:
    def refuses(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"title": "Unauthorized", "status": 401})

    with pytest.raises(SignInRequired, match="session has ended"):
        await fresh_tokens(_api(httpx.MockTransport(refuses)), signed_in(-5, refresh), 60)
