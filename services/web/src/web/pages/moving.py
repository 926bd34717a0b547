"""A booker moves a confirmed booking to another time or room of its studio: the day's free
start times for the booking's length, each a button that asks for the move; the answer comes
once the booking has moved, or says why it could not (and it stays as it was)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import booking_views as views
from web.api_client import ApiClient, ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.pages.booker import times_context
from web.pages.my_bookings import booking_id_of
from web.rendering import render
from web.security import save_session

router = page_router()


async def _move_context(
    api: ApiClient, token: str, booking_id: str, query: dict[str, str]
) -> dict[str, Any]:
    booking = await api.get(f"/api/bookings/{booking_id}", token=token)
    studio = await api.get(f"/api/studios/{booking['studio_id']}")
    starts = datetime.fromisoformat(booking["local_starts_at"] or booking["starts_at"])
    asked = {
        "room_id": query.get("room_id") or booking["room_id"],
        "day": query.get("day") or starts.date().isoformat(),
        "hours": str(booking["price"]["hours"]),
        "people": str(booking["attendees"]),
    }
    context = await times_context(api, studio, asked, datetime.now(UTC))
    return context | {
        "booking": booking,
        "when": views.when(booking),
        "movable_until": views.local_text(booking["movable_until"], studio["timezone"]),
    }


@router.get("/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move_page(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep
) -> HTMLResponse:
    query = dict(request.query_params)
    context = await _move_context(api, token, booking_id_of(booking_id), query)
    status = 422 if context["form"].errors else 200
    return render(request, "booker/move.html", context, status=status)


@router.post("/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    booking_id = booking_id_of(booking_id)
    form = await request.form()
    chosen = {name: str(form.get(name) or "") for name in ("room_id", "starts_at")}
    starts_at = views.parse_instant(chosen["starts_at"])
    booking = await api.get(f"/api/bookings/{booking_id}", token=token)
    body = {"action": "reschedule", "room_id": chosen["room_id"] or booking["room_id"]}
    if starts_at is not None:  # else the API names the missing start
        hours = timedelta(hours=booking["price"]["hours"])
        body |= {"starts_at": starts_at.isoformat(), "ends_at": (starts_at + hours).isoformat()}
    try:
        moved = await api.patch(f"/api/bookings/{booking_id}", body, token=token)
    except ApiProblem as refused:
        if refused.status not in (403, 409, 422):
            raise
        day = starts_at.astimezone(ZoneInfo(views.zone_of(booking))).date() if starts_at else None
        query = {"room_id": body["room_id"], "day": day.isoformat() if day else ""}
        context = await _move_context(api, token, booking_id, query)
        context["refusal"] = refused.detail or "The booking cannot be moved to that time."
        return render(request, "booker/move.html", context, status=refused.status)
    notice = (
        f"Your booking has moved to {views.when(moved)}."
        if moved.get("move") is None
        else "Your booking is being moved: this page shows when it is done."
    )
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/bookings/{booking_id}", status_code=303)
