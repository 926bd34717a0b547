"""A studio's week of bookings and holds per room, in the studio's time zone, its calendar
feeds, and each room's external calendars."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from web.api_client import ApiClient, ApiProblem
from web.calendar_feeds import feed_rows
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, owned_studio
from web.pages.owner_external import EXTERNAL
from web.rendering import render
from web.security import save_session
from web.week_calendar import lay_out, week_asked, week_window

router = page_router()


@router.get("/owner/studios/{studio_id}/calendar", response_class=HTMLResponse)
async def calendar(
    request: Request,
    studio_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
    week: str | None = None,
) -> HTMLResponse:
    new_feed = session.revealed  # a feed just made or rotated: its address, this once
    if new_feed is not None:
        save_session(request, session.with_revealed(None))
    return await calendar_page(request, api, studio_id, token, week=week, new_feed=new_feed)


async def calendar_page(
    request: Request,
    api: ApiClient,
    studio_id: uuid.UUID,
    token: str,
    *,
    week: str | None = None,
    new_feed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The week, and the studio's calendar feeds (with a new feed's URL, shown only once)."""
    studio = await owned_studio(request, api, str(studio_id), token)
    monday = week_asked(week, studio["timezone"], datetime.now(UTC))
    starts, ends = week_window(monday, studio["timezone"])
    try:
        answer = await api.get(
            f"/api/owner/studios/{studio_id}/calendar",
            params={"from": starts.isoformat(), "to": ends.isoformat()},
            token=token,
        )
        feeds = await api.get(f"/api/availability/studios/{studio_id}/calendar-feeds", token=token)
        external = [
            (
                room,
                await api.get(
                    EXTERNAL.format(studio_id=studio_id, room_id=room["id"]), token=token
                ),
            )
            for room in studio["rooms"]
        ]
    except ApiProblem as unknown:
        if unknown.status != 404:  # availability learns a studio once it is published
            raise
        answer, feeds, external = {"timezone": studio["timezone"], "reservations": []}, None, None
    rooms = [(str(room["id"]), room["name"]) for room in studio["rooms"]]
    context = {
        "studio": studio,
        "week": lay_out(answer, rooms, monday),
        "feeds": None if feeds is None else feed_rows(feeds, dict(rooms)),
        "new_feed": new_feed,
        "external": external,
    }
    return render(request, "owner/calendar.html", context)
