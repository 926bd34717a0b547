"""Who may open the owner's pages: a signed-in owner; anyone else is told plainly."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from web.api_client import ApiClient, ApiProblem
from web.deps import AccessTokenDep
from web.formatting import local_time
from web.rendering import render
from web.security import current_session, save_session
from web.sessions import Session


class OwnersOnly(Exception):
    """A signed-in person who is not an owner opened an owner's page."""


async def _owner_token(request: Request, token: AccessTokenDep) -> str:
    """The owner's access token; sign-in first for nobody, an "owners only" page for others."""
    user = current_session(request).user
    if user is None or user.role != "owner":
        raise OwnersOnly()
    return token


OwnerTokenDep = Annotated[str, Depends(_owner_token)]


def install_owner_pages(app: FastAPI) -> None:
    """The "owners only" page, and the templates' `local_time` filter for the API's instants."""

    async def owners_only(request: Request, error: Exception) -> Response:
        return render(request, "owner/owners_only.html", status=403)

    app.add_exception_handler(OwnersOnly, owners_only)
    app.state.templates.env.filters["local_time"] = instant_there


def instant_there(text: str, timezone: str) -> str:
    """An instant the API gave (ISO 8601 with an offset) as the clock in that zone shows it."""
    return local_time(datetime.fromisoformat(text), timezone)


async def owned_studio(
    request: Request, api: ApiClient, studio_id: str, token: str
) -> dict[str, Any]:
    """The owner's studio by id; a 404 page for an unknown one, or one of someone else's."""
    try:
        studio: dict[str, Any] = await api.get(f"/api/studios/{studio_id}", token=token)
    except ApiProblem as missing:
        if missing.status in (404, 422):
            raise HTTPException(404) from missing
        raise
    user = current_session(request).user
    if user is None or str(studio["owner_id"]) != user.id:  # published studios are public
        raise HTTPException(404)
    return studio


def booking_times(booking: dict[str, Any]) -> str:
    """A booking's start and end as the studio's clock shows them."""
    zone = booking.get("studio_timezone") or "UTC"
    ends = instant_there(booking["ends_at"], zone).split(", ")[1]
    return f"{instant_there(booking['starts_at'], zone)} to {ends}"


def back_to_calendar(
    request: Request, session: Session, studio_id: uuid.UUID, notice: str, section: str
) -> Response:
    """Post, redirect, get: back to a section of the studio's calendar page, with a notice."""
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/owner/studios/{studio_id}/calendar#{section}", status_code=303)
