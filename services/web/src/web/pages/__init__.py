"""The page routes, one module per area (public pages, accounts; booker, owner, admin next)."""

from fastapi import APIRouter, Depends

from web.security import check_csrf


def page_router() -> APIRouter:
    """A router whose every unsafe request must carry the session's CSRF token."""
    return APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
