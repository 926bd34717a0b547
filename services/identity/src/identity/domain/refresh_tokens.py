"""Refresh tokens: long-lived, single-use, rotated in families, so a stolen one gives itself away.

A sign-in starts a *family*; each refresh uses up the token presented and hands out the next
one of the same family. A token presented a second time means two parties hold the family (a
thief and the person), so the whole family is revoked and both must sign in again.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain.users import IdentityError

MAX_REFRESH_TOKEN_LENGTH = 200
"""Ours are 43 characters; anything far longer is refused before it is hashed."""


class InvalidRefreshToken(IdentityError):
    """Unknown, used, expired or revoked: one answer for all, so it tells a guesser nothing."""

    def __init__(self) -> None:
        super().__init__("The refresh token is not valid (any more): sign in again.")


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    REUSED = "reused"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Family:
    """The tokens handed out since one sign-in."""

    id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime  # absolute: no refresh reaches beyond it, however active the person
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class StoredToken:
    """What is kept of a refresh token: its digest, never the token itself."""

    digest: str
    family_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None


def new_refresh_token() -> str:
    """An opaque token of 256 random bits."""
    return secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    """The SHA-256 of a token, as stored: a database dump holds no usable token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def expiry_of_next(now: datetime, ttl: timedelta, family: Family) -> datetime:
    """A new token lives `ttl` from now, and never beyond its family's absolute end."""
    return min(now + ttl, family.expires_at)


def judge(family: Family | None, token: StoredToken | None, now: datetime) -> Verdict:
    """Whether a presented token may be exchanged for the next one, and why not.

    Reuse is checked before expiry: a used token shown again is a theft whatever its age.
    """
    if family is None or token is None:
        return Verdict.UNKNOWN
    if family.revoked_at is not None:
        return Verdict.REVOKED
    if token.used_at is not None:
        return Verdict.REUSED
    if now >= token.expires_at or now >= family.expires_at:
        return Verdict.EXPIRED
    return Verdict.VALID
