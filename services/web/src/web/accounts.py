"""Signing in, staying signed in and signing out, against identity's API.

Identity answers sign-in and sign-up with a short access token and (once it hands them out) a
refresh token; `fresh_tokens` renews an access token about to expire before a call is made
with it, and a refresh the API refuses ends the session.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from web.api_client import ApiClient, ApiProblem
from web.sessions import Session, SignedInUser, Tokens, expires_soon

SESSION_ENDED = "Your session has ended. Please sign in again."


class SignInRequired(Exception):
    """The page needs a signed-in person; the message says why they must sign in (again)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "Please sign in to continue.")
        self.message = message or "Please sign in to continue."


def signed_in(answer: dict[str, Any], now: float | None = None) -> tuple[SignedInUser, Tokens]:
    """The person and tokens of identity's TokenOut."""
    now = time.time() if now is None else now
    user = answer["user"]
    refresh_in = answer.get("refresh_expires_in")
    return (
        SignedInUser(
            id=str(user["id"]),
            name=str(user["name"]),
            email=str(user["email"]),
            role=str(user["role"]),
        ),
        Tokens(
            access_token=str(answer["access_token"]),
            access_expires_at=now + float(answer["expires_in"]),
            refresh_token=answer.get("refresh_token"),
            refresh_expires_at=now + float(refresh_in) if refresh_in is not None else None,
        ),
    )


async def sign_in(api: ApiClient, email: str, password: str) -> tuple[SignedInUser, Tokens]:
    return signed_in(await api.post("/api/auth/sign-in", {"email": email, "password": password}))


async def sign_up(
    api: ApiClient, *, email: str, password: str, name: str, role: str
) -> tuple[SignedInUser, Tokens]:
    body = {"email": email, "password": password, "name": name, "role": role}
    return signed_in(await api.post("/api/auth/sign-up", body))


async def sign_out(api: ApiClient, tokens: Tokens | None) -> None:
    """Revokes the refresh token at identity; the cookie is cleared whatever it answers."""
    if tokens is None or tokens.refresh_token is None:
        return
    with contextlib.suppress(ApiProblem):  # already revoked or expired: signed out either way
        await api.post("/api/auth/sign-out", {"refresh_token": tokens.refresh_token})


async def fresh_tokens(
    api: ApiClient, session: Session, margin_seconds: float, now: float | None = None
) -> Tokens:
    """The session's tokens with an access token good for at least the margin.

    Raises SignInRequired when the person is not signed in, or the session cannot be renewed
    (no refresh token, an expired one, or one identity refuses).
    """
    if not session.signed_in or session.tokens is None:
        raise SignInRequired()
    tokens = session.tokens
    now = time.time() if now is None else now
    if not expires_soon(tokens, margin_seconds, now):
        return tokens
    expired_refresh = tokens.refresh_expires_at is not None and tokens.refresh_expires_at <= now
    if tokens.refresh_token is None or expired_refresh:
        raise SignInRequired(SESSION_ENDED)
    try:
        answer = await api.post("/api/auth/refresh", {"refresh_token": tokens.refresh_token})
    except ApiProblem as refused:
        raise SignInRequired(SESSION_ENDED) from refused
    return signed_in(answer, now)[1]
