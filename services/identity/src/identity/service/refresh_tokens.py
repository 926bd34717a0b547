"""Sessions that last: a short access token and a rotating refresh token per sign-in.

`grant` starts a family at sign-up or sign-in; `refresh` exchanges a token for the next one of
its family (a second use revokes the family); `sign_out` revokes the family. Each use case runs
in one unit of work and prunes a bounded batch of dead rows on the way.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.config import IdentitySettings
from identity.domain.refresh_tokens import (
    Family,
    InvalidRefreshToken,
    StoredToken,
    Verdict,
    digest_of,
    expiry_of_next,
    judge,
    new_refresh_token,
)
from identity.domain.users import User, access_token_claims, may_sign_in
from identity.repositories import IdentityUnit, IdentityUnits
from identity.service import signing_keys

PRUNE_BATCH = 100
"""Dead families and expired tokens deleted per token handed out: more than one is made."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tokens:
    """What a person holds after signing in or refreshing."""

    access_token: str
    access_expires_in: int
    refresh_token: str
    refresh_expires_in: int


async def grant(unit: IdentityUnit, user: User, settings: IdentitySettings) -> Tokens:
    """The tokens of a new sign-in: an access token and the first refresh token of a family."""
    now = unit.now
    family = Family(
        id=uuid.uuid4(),
        user_id=user.id,
        expires_at=now + timedelta(seconds=settings.refresh_family_ttl_seconds),
    )
    await unit.refresh_tokens.add_family(family, now)
    return await _hand_out(unit, user, family, settings, now)


async def refresh(
    units: IdentityUnits, settings: IdentitySettings, token: str
) -> tuple[User, Tokens]:
    """The next tokens for a valid refresh token, which is used up; InvalidRefreshToken else.

    A used token presented again revokes its family. The new access token carries the
    user's role as it is now; a user who may no longer sign in gets none.
    """
    digest = digest_of(token)
    async with units.begin() as unit:
        now = unit.now
        family, stored = await unit.refresh_tokens.locked(digest)
        verdict = judge(family, stored, now)
        user = await unit.users.by_id(family.user_id) if family else None
        if verdict is Verdict.VALID and family and user and may_sign_in(user):
            await unit.refresh_tokens.use(digest, now)
            return user, await _hand_out(unit, user, family, settings, now)
        if family and verdict in (Verdict.REUSED, Verdict.VALID):
            # VALID here: the account was deleted or lost its password since.
            reason = "reuse" if verdict is Verdict.REUSED else "account closed"
            await unit.refresh_tokens.revoke_family(family.id, now, reason)
            log.warning("refresh token family %s revoked: %s", family.id, reason)
    # Raised after the commit, so the revocation stays.
    raise InvalidRefreshToken()


async def sign_out(units: IdentityUnits, token: str) -> None:
    """Revoke the token's family; unknown or already revoked tokens change nothing."""
    async with units.begin() as unit:
        family, _ = await unit.refresh_tokens.locked(digest_of(token))
        if family is not None:
            await unit.refresh_tokens.revoke_family(family.id, unit.now, "signed out")


async def _hand_out(
    unit: IdentityUnit, user: User, family: Family, settings: IdentitySettings, now: datetime
) -> Tokens:
    refresh_token = new_refresh_token()
    ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)
    stored = StoredToken(digest_of(refresh_token), family.id, expiry_of_next(now, ttl, family))
    await unit.refresh_tokens.add_token(stored, now)
    await unit.refresh_tokens.prune(now, PRUNE_BATCH)
    return Tokens(
        access_token=await _access_token(unit, user, settings, now),
        access_expires_in=settings.access_token_ttl_seconds,
        refresh_token=refresh_token,
        refresh_expires_in=int((stored.expires_at - now).total_seconds()),
    )


async def _access_token(
    unit: IdentityUnit, user: User, settings: IdentitySettings, now: datetime
) -> str:
    key = await signing_keys.active_key(unit.signing_keys, now, settings.key_cipher())
    claims = access_token_claims(
        user,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        now=now,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    return signing_keys.sign(claims, key)
