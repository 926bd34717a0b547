"""The session: a signed and encrypted cookie that holds the person's tokens.

Nothing is kept on the server, so replicas share nothing; the browser holds an opaque Fernet
token (AES-CBC + HMAC) in an HttpOnly cookie, so no page script can read the tokens inside.
Fernet's timestamp bounds a cookie's age on the server too: an old one decrypts to nothing.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet

COOKIE_NAME = "ots_session"
MAX_COOKIE_BYTES = 3800
"""Browsers keep about 4096 bytes per cookie, name and attributes included."""


class SessionTooLarge(Exception):
    """The session would not fit in a cookie (an unusually large token)."""


@dataclass(frozen=True)
class SignedInUser:
    id: str
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    access_expires_at: float  # epoch seconds
    refresh_token: str | None = None  # identity's refresh tokens, once it hands them out
    refresh_expires_at: float | None = None


@dataclass(frozen=True)
class Session:
    """What one browser's session holds; immutable, changed by making a new one."""

    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user: SignedInUser | None = None
    tokens: Tokens | None = None
    notice: str | None = None  # shown once on the next page
    revealed: dict[str, str] | None = None  # a secret shown once (a new feed's address)

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.tokens is not None

    def signing_in(self, user: SignedInUser, tokens: Tokens) -> Session:
        """Signed in, with a new CSRF token (a token seen before sign-in is not trusted)."""
        return Session(user=user, tokens=tokens, notice=self.notice)

    def signed_out(self, notice: str | None = None) -> Session:
        return Session(notice=notice)

    def with_tokens(self, tokens: Tokens) -> Session:
        return replace(self, tokens=tokens)

    def with_notice(self, notice: str | None) -> Session:
        return replace(self, notice=notice)

    def with_revealed(self, revealed: dict[str, str] | None) -> Session:
        return replace(self, revealed=revealed)


class SessionCodec:
    """Turns a session into a cookie value and back; a bad or old cookie is no session."""

    def __init__(self, cipher: MultiFernet, max_age_seconds: int) -> None:
        self._cipher = cipher
        self._max_age_seconds = max_age_seconds

    def encode(self, session: Session) -> str:
        value = self._cipher.encrypt(json.dumps(asdict(session)).encode()).decode("ascii")
        if len(value) > MAX_COOKIE_BYTES:
            raise SessionTooLarge(f"{len(value)} bytes")
        return value

    def decode(self, value: str | None) -> Session | None:
        if not value or len(value) > MAX_COOKIE_BYTES:
            return None
        try:
            raw = self._cipher.decrypt(value.encode("ascii"), ttl=self._max_age_seconds)
            return _session_of(json.loads(raw))
        except (InvalidToken, UnicodeError, ValueError, TypeError, KeyError):
            return None


def _session_of(data: dict[str, Any]) -> Session:
    user, tokens = data.get("user"), data.get("tokens")
    return Session(
        csrf_token=str(data["csrf_token"]),
        user=SignedInUser(**user) if user else None,
        tokens=Tokens(**tokens) if tokens else None,
        notice=data.get("notice"),
        revealed=data.get("revealed"),
    )


def expires_soon(tokens: Tokens, margin_seconds: float, now: float | None = None) -> bool:
    """Whether the access token expires within the margin (or already has)."""
    return tokens.access_expires_at - margin_seconds <= (time.time() if now is None else now)
