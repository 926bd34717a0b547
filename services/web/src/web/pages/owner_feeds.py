"""An owner's calendar feeds, on the studio's calendar page: create, rotate, revoke."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from web.api_client import ApiProblem
from web.calendar_feeds import feed_url
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, back_to_calendar, owned_studio
from web.security import save_session

router = page_router()
FEEDS = "/api/availability/studios/{studio_id}/calendar-feeds"


@router.post("/owner/studios/{studio_id}/feeds")
async def create_feed(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    room = str((await request.form()).get("room_id", ""))
    if room and room not in {str(r["id"]) for r in studio["rooms"]}:
        return _back(request, session, studio_id, "Choose one of the studio's rooms.")
    body = {"room_id": room} if room else {}
    try:
        feed = await api.post(FEEDS.format(studio_id=studio_id), body, token=token)
    except ApiProblem as refused:
        if refused.status not in (404, 409, 422):
            raise
        return _back(request, session, studio_id, refused.detail or "No feed was made.")
    return _shown_once(request, session, studio_id, feed)


@router.post("/owner/studios/{studio_id}/feeds/{feed_id}/rotate")
async def rotate_feed(
    request: Request,
    studio_id: uuid.UUID,
    feed_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    path = f"{FEEDS.format(studio_id=studio_id)}/{feed_id}/rotate"
    try:
        feed = await api.post(path, {}, token=token)
    except ApiProblem as refused:
        if refused.status != 404:
            raise
        return _back(request, session, studio_id, "That feed was revoked already.")
    return _shown_once(request, session, studio_id, feed)


@router.post("/owner/studios/{studio_id}/feeds/{feed_id}/revoke")
async def revoke_feed(
    request: Request,
    studio_id: uuid.UUID,
    feed_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    try:
        await api.delete(f"{FEEDS.format(studio_id=studio_id)}/{feed_id}", token=token)
    except ApiProblem as refused:
        if refused.status != 404:  # already gone: what the owner wanted
            raise
    notice = "Feed revoked: calendars subscribed to it no longer update."
    return _back(request, session, studio_id, notice)


def _shown_once(
    request: Request, session: SessionDep, studio_id: uuid.UUID, feed: dict[str, str]
) -> Response:
    """Post, redirect, get: the address travels in the session to the calendar page, which
    shows it once, so reloading that page neither makes nor rotates a feed again."""
    new_feed = {"id": feed["id"], "url": feed_url(request, feed["path"])}
    save_session(request, session.with_revealed(new_feed))
    return RedirectResponse(f"/owner/studios/{studio_id}/calendar#feeds", status_code=303)


def _back(request: Request, session: SessionDep, studio_id: uuid.UUID, notice: str) -> Response:
    return back_to_calendar(request, session, studio_id, notice, "feeds")
