"""Dependencies the catalog routes share."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, HTTPException

from catalog.config import CatalogSettings
from catalog.db.unit import SqlCatalogUnits
from catalog.domain.studios import Actor
from catalog.repositories import CatalogUnits
from contracts.identity import Role
from service_runtime.auth import OptionalUser, Principal
from service_runtime.service_app import UnitsDep, settings_of

SettingsDep = Annotated[CatalogSettings, Depends(settings_of(CatalogSettings))]


async def _viewer(principal: OptionalUser) -> Actor | None:
    """The caller when a token is sent (a bad or stale token is still a 401); None for anonymous."""
    return actor_of(principal) if principal else None


ViewerDep = Annotated[Actor | None, Depends(_viewer)]


def actor_of(principal: Principal) -> Actor:
    """The catalog's view of a caller: our user id and admin or not."""
    return Actor(user_id=principal.user_id, is_admin=principal.has_role(Role.ADMIN))


# ASCII digits only (str.isdigit takes "²", which int() refuses), and few enough for INTEGER.
_VERSION = re.compile(r"[0-9]{1,9}")


async def _if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an If-Match header names: `"3"`, `W/"3"` or `3`."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not _VERSION.fullmatch(value):
        raise HTTPException(400, 'If-Match must name a studio version, such as "3".')
    return int(value)


IfMatchDep = Annotated[int | None, Depends(_if_match)]


async def _catalog_units(units: UnitsDep) -> CatalogUnits:
    return SqlCatalogUnits(units)


CatalogUnitsDep = Annotated[CatalogUnits, Depends(_catalog_units)]
