"""The owner's pages as the app takes them: their routers, and the setup they need."""

from web.pages import owner, owner_calendar, owner_hours, owner_payouts, owner_studios
from web.pages.owner_access import install_owner_pages

ROUTERS = [m.router for m in (owner, owner_studios, owner_hours, owner_calendar, owner_payouts)]

__all__ = ["ROUTERS", "install_owner_pages"]
