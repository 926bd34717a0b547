"""What identity's fast service tests share: quick password hashing, a stopped clock, people
signing up, the links mailed to them and the claims of their access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from contracts.identity import Role
from identity.config import IdentitySettings
from identity.domain.users import User
from identity.passwords import PasswordHashing
from identity.service import users
from identity.service.refresh_tokens import Tokens

from .fakes import FakeIdentityUnits

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
PASSWORD = "correct horse 1"


# Argon2id at its cheapest: the real hashing and checks, in microseconds, not 0.15 s.
QUICK_PASSWORDS = PasswordHashing(concurrency=1, queue=16, wait_seconds=5, profile="CHEAPEST")


class QuickSettings(IdentitySettings):
    """Identity's settings with quick password hashing."""

    def password_hashing(self) -> PasswordHashing:
        return QUICK_PASSWORDS


@dataclass
class StoppedClock:
    """Time as a test sets it: it moves only when told to."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


async def signed_up(
    units: FakeIdentityUnits,
    settings: IdentitySettings,
    email: str = "ada@example.com",
    role: Role = Role.BOOKER,
) -> tuple[User, Tokens]:
    return await users.sign_up(
        units, settings, email=email, password=PASSWORD, name="Ada Lovelace", role=role
    )


def token_in(link: str) -> str:
    """The token a mailed link carries."""
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token


async def claims_of(
    access_token: str, units: FakeIdentityUnits, settings: IdentitySettings
) -> dict[str, Any]:
    """The access token's claims, checked against identity's published keys as services do."""
    keys = jwt.PyJWKSet.from_dict(await users.public_keys(units, settings))
    kid = jwt.get_unverified_header(access_token)["kid"]
    claims: dict[str, Any] = jwt.decode(
        access_token,
        keys[kid].key,
        algorithms=["RS256"],
        audience=settings.auth_audience,
        issuer=settings.auth_issuer,
        options={"verify_exp": False, "verify_iat": False},  # the tests run at NOW, not today
    )
    return claims
