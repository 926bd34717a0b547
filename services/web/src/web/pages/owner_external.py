"""An owner's external calendars (ICS URLs) per room, on the studio's calendar page."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from web.api_client import ApiProblem
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, back_to_calendar, owned_studio

router = page_router()
EXTERNAL = "/api/availability/studios/{studio_id}/rooms/{room_id}/external-calendars"


@router.post("/owner/studios/{studio_id}/rooms/{room_id}/external")
async def add_external(
    request: Request,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    await owned_studio(request, api, str(studio_id), token)
    url = str((await request.form()).get("url", "")).strip()
    try:
        await api.post(
            EXTERNAL.format(studio_id=studio_id, room_id=room_id), {"url": url}, token=token
        )
    except ApiProblem as refused:
        if refused.status not in (404, 409, 422):
            raise
        notice = refused.detail or "Enter an http or https address of an .ics calendar."
        return _back(request, session, studio_id, notice)
    return _back(request, session, studio_id, "Calendar added: it is read within a few minutes.")


@router.post("/owner/studios/{studio_id}/rooms/{room_id}/external/{calendar_id}/refresh")
async def refresh_external(
    request: Request,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    calendar_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    path = f"{EXTERNAL.format(studio_id=studio_id, room_id=room_id)}/{calendar_id}/refresh"
    try:
        status = await api.post(path, {}, token=token)
    except ApiProblem as refused:
        if refused.status != 404:
            raise
        return _back(request, session, studio_id, "That calendar was removed already.")
    error = status.get("last_error")
    notice = f"Could not read the calendar: {error}." if error else "Calendar read just now."
    return _back(request, session, studio_id, notice)


@router.post("/owner/studios/{studio_id}/rooms/{room_id}/external/{calendar_id}/remove")
async def remove_external(
    request: Request,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    calendar_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    path = f"{EXTERNAL.format(studio_id=studio_id, room_id=room_id)}/{calendar_id}"
    try:
        await api.delete(path, token=token)
    except ApiProblem as refused:
        if refused.status != 404:  # already gone: what the owner wanted
            raise
    return _back(request, session, studio_id, "Calendar removed: its busy times no longer block.")


def _back(request: Request, session: SessionDep, studio_id: uuid.UUID, notice: str) -> Response:
    return back_to_calendar(request, session, studio_id, notice, "external")
