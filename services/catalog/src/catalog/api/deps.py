"""Dependencies the catalog routes share."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from catalog.config import CatalogSettings
from catalog.domain.studios import Actor
from contracts.identity import Role
from service_runtime.auth import InvalidToken, Principal, TokenVerifier
from service_runtime.service_app import UnitsDep as UnitsDep
from service_runtime.service_app import runtime_of


def _settings(request: Request) -> CatalogSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, CatalogSettings)
    return settings


SettingsDep = Annotated[CatalogSettings, Depends(_settings)]

_optional_bearer = HTTPBearer(auto_error=False)


async def _viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Actor | None:
    """The caller when a token is sent (a bad token is still a 401); None for anonymous."""
    if credentials is None:
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(401, f"Invalid token: {error}") from error
    return actor_of(principal)


ViewerDep = Annotated[Actor | None, Depends(_viewer)]


def actor_of(principal: Principal) -> Actor:
    """The catalog's view of a caller: a user id (a UUID, as identity issues) and admin or not."""
    try:
        user_id = uuid.UUID(principal.user_id)
    except ValueError:
        raise HTTPException(403, "The token's subject is not an identity user id.") from None
    return Actor(user_id=user_id, is_admin=principal.has_role(Role.ADMIN))


def _if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an If-Match header names: `"3"`, `W/"3"` or `3`."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise HTTPException(400, 'If-Match must name a studio version, such as "3".')
    return int(value)


IfMatchDep = Annotated[int | None, Depends(_if_match)]
