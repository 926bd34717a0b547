"""Bearer JWT verification against the issuer's JWKS, and role checks for routes.

One policy turns every verified token into our user id: the configured claim (`sub` for
identity's tokens, a session-token template claim for Clerk's) must hold the UUID identity gave
the user; a token without one is refused before any route runs.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.identity import Role

_BEARER = {"WWW-Authenticate": "Bearer"}
_LEEWAY_SECONDS = 5
"""How far past its expiry a token is still accepted (clocks differ)."""


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key of the issuer."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: our id of the user (identity's UUID, whoever issued the token) and role."""

    user_id: uuid.UUID
    role: Role | None
    claims: dict[str, Any] = field(repr=False)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def email_verified(self) -> bool:
        """Whether the issuer vouches that the person opened a link sent to their email."""
        return self.claims.get("email_verified") is True


class JwksCache:
    """The issuer's signing keys by key id, refetched when an unknown key id shows up.

    Refetches are spaced by `min_refresh_seconds` so forged key ids cannot hammer the issuer.
    A caller with an unknown key id waits for the next refetch (at most that long), which every
    caller waiting meanwhile shares: a token signed with a key the issuer made just after the
    last refetch (a rotation) is verified a moment later rather than refused.
    """

    def __init__(
        self,
        fetch: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
        *,
        max_age_seconds: float = 3600,
        min_refresh_seconds: float = 1.0,
    ) -> None:
        self._fetch = fetch
        self._keys: dict[str, jwt.PyJWK] = {}
        self._started_at = self._fetched_at = float("-inf")
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._lock = asyncio.Lock()

    @classmethod
    def over_http(cls, url: str, client: httpx.AsyncClient) -> JwksCache:
        async def fetch() -> dict[str, Any]:
            response = await client.get(url, timeout=5.0)
            response.raise_for_status()
            keys: dict[str, Any] = response.json()
            return keys

        return cls(fetch)

    async def key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys or time.monotonic() - self._fetched_at > self._max_age:
            await self._refresh_since(time.monotonic())
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken(f"unknown signing key {kid!r}") from None

    async def _refresh_since(self, asked_at: float) -> None:
        """Refetch unless a refetch started since `asked_at` (it has every key the caller's
        token may be signed with); never sooner than `min_refresh_seconds` after the last."""
        async with self._lock:
            if self._started_at >= asked_at:
                return
            await asyncio.sleep(self._started_at + self._min_refresh - time.monotonic())
            self._started_at = time.monotonic()
            try:
                document = await self._fetch()
            except Exception as error:
                raise InvalidToken(f"signing keys unavailable: {error}") from error
            self._keys = {
                jwk["kid"]: jwt.PyJWK(jwk) for jwk in document.get("keys", []) if "kid" in jwk
            }
            self._fetched_at = time.monotonic()


class TokenVerifier:
    """Checks signature, issuer, audience and expiry; reads our user id and the role from
    configured claims.

    A token once verified is kept, by its text, until it expires (the `kept` most recently used):
    a caller sends the same token with every request until it expires, and checking it again
    costs ~0.12 ms of CPU (mostly PyJWT's Python, the RSA signature ~0.04) where the lookup costs
    microseconds. A kept token is still refused once its expiry passes, or once its key is no
    longer among the issuer's (after a rotation that dropped it, as a token not kept would be)."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str | None,
        role_claim: str = "role",
        user_id_claim: str = "sub",
        kept: int = 4096,
    ) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._role_claim = role_claim
        self._user_id_claim = user_id_claim
        self._kept = kept
        # token -> (its key id, its expiry as a Unix time, who it names)
        self._verified: OrderedDict[str, tuple[str, float, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            kid, expires_at, principal = known
            if time.time() - _LEEWAY_SECONDS < expires_at:
                await self._jwks.key(kid)  # raises once the issuer no longer has the key
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        try:
            kid = str(jwt.get_unverified_header(token).get("kid"))
            key = await self._jwks.key(kid)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "sub", "iss"], "verify_aud": bool(self._audience)},
                leeway=_LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        principal = Principal(
            user_id=user_id_of(claims, self._user_id_claim),
            role=Role.parse(claims.get(self._role_claim)),
            claims=claims,
        )
        self._verified[token] = (kid, float(claims["exp"]), principal)
        if len(self._verified) > self._kept:
            self._verified.popitem(last=False)
        return principal


def user_id_of(claims: dict[str, Any], claim: str) -> uuid.UUID:
    """Our id of the user a verified token speaks for; InvalidToken when the claim lacks one."""
    value = claims.get(claim)
    if value is None or value == "":
        raise InvalidToken(f"the token has no {claim!r} claim naming the user")
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidToken(f"the token's {claim!r} claim is not a user id (a UUID)") from None


class AccessCheck(Protocol):
    """What a service knows about its users beyond their tokens (service_runtime.trust)."""

    async def refuse_stale(self, principal: Principal) -> None:
        """Raise InvalidToken when the token no longer speaks for its user."""


_bearer = HTTPBearer(auto_error=False, description="Access token from identity (or Clerk)")


async def authenticate(request: Request, token: str) -> Principal:
    """The caller a bearer token names, if it is valid and still speaks for them; 401 otherwise."""
    verifier: TokenVerifier = request.app.state.token_verifier
    access: AccessCheck | None = getattr(request.app.state, "access_check", None)
    try:
        principal = await verifier.verify(token)
        if access is not None:
            await access.refuse_stale(principal)
    except InvalidToken as error:
        raise HTTPException(401, f"Invalid token: {error}", headers=_BEARER) from error
    return principal


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller; 401 without a valid bearer token."""
    if credentials is None:
        raise HTTPException(401, "A bearer token is required.", headers=_BEARER)
    return await authenticate(request, credentials.credentials)


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller when a token is sent (a bad or stale token is still a 401); None for anonymous."""
    return None if credentials is None else await authenticate(request, credentials.credentials)


CurrentUser = Annotated[Principal, Depends(current_principal)]
OptionalUser = Annotated[Principal | None, Depends(optional_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that admits only callers with one of these roles (403 otherwise)."""

    async def check(principal: CurrentUser) -> Principal:
        if not principal.has_role(*roles):
            allowed = ", ".join(role.value for role in roles)
            raise HTTPException(403, f"This needs one of the roles: {allowed}.")
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]
OwnerUser = Annotated[Principal, Depends(require_role(Role.OWNER, Role.ADMIN))]
BookerUser = Annotated[Principal, Depends(require_role(Role.BOOKER, Role.OWNER, Role.ADMIN))]
