"""The owner's pages as the app takes them: their routers, and the setup they need."""

from web.pages import (
    owner,
    owner_calendar,
    owner_external,
    owner_extras,
    owner_feeds,
    owner_hours,
    owner_payouts,
    owner_studios,
)
from web.pages.owner_access import install_owner_pages

MODULES = (
    owner,
    owner_studios,
    owner_extras,
    owner_hours,
    owner_calendar,
    owner_feeds,
    owner_external,
    owner_payouts,
)
ROUTERS = [m.router for m in MODULES]

__all__ = ["ROUTERS", "install_owner_pages"]
