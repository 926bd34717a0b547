"""Moving a confirmed booking to another time or room of its studio: the day's free start times
for the chosen length, each a button. The booker's choice moves the booking at once (or says
why it could not, and it stays as it was); a dearer one first takes them to pay the difference
while the new time is held. The owner's choice is proposed to the booker, who accepts or
declines it on their booking page."""

from __future__ import annotations

from dataclasses import dataclass
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
from web.pages.owner_access import OwnerTokenDep
from web.rendering import render
from web.security import save_session
from web.sessions import Session

router = page_router()


@dataclass(frozen=True)
class Party:
    """Whose pages the move is made from: where they come back to, and what the move does."""

    pages: str
    proposes: bool

    def back(self, booking_id: str) -> str:
        return f"{self.pages}/{booking_id}"


BOOKER = Party("/bookings", proposes=False)
OWNER = Party("/owner/bookings", proposes=True)


async def _move_context(
    api: ApiClient, token: str, booking_id: str, query: dict[str, str], party: Party
) -> dict[str, Any]:
    booking = await api.get(f"/api/bookings/{booking_id}", token=token)
    studio = await api.get(f"/api/studios/{booking['studio_id']}")
    starts = datetime.fromisoformat(booking["local_starts_at"] or booking["starts_at"])
    paid_hours = booking["price"]["hours"]
    asked = {
        "room_id": query.get("room_id") or booking["room_id"],
        "day": query.get("day") or starts.date().isoformat(),
        "hours": query.get("hours") or str(paid_hours),
        "people": str(booking["attendees"]),
    }
    context = await times_context(api, studio, asked, datetime.now(UTC))
    return context | {
        "move_hour_options": views.hour_options(studio),
        "booking": booking,
        "when": views.when(booking),
        "movable_until": views.local_text(booking["movable_until"], studio["timezone"]),
        "back": party.back(booking["id"]),
        "proposes": party.proposes,
    }


async def _page(
    request: Request, api: ApiClient, token: str, booking_id: str, party: Party
) -> HTMLResponse:
    query = dict(request.query_params)
    context = await _move_context(api, token, booking_id_of(booking_id), query, party)
    status = 422 if context["form"].errors else 200
    return render(request, "booker/move.html", context, status=status)


async def _move(
    request: Request,
    api: ApiClient,
    token: str,
    session: Session,
    booking_id: str,
    party: Party,
) -> Response:
    booking_id = booking_id_of(booking_id)
    form = await request.form()
    room_id, starts_text, hours_text = (
        str(form.get(name) or "") for name in ("room_id", "starts_at", "hours")
    )
    starts_at = views.parse_instant(starts_text)
    booking = await api.get(f"/api/bookings/{booking_id}", token=token)
    body = {"action": "reschedule", "room_id": room_id or booking["room_id"]}
    if starts_at is not None:  # else the API names the missing start
        paid_hours = booking["price"]["hours"]
        hours = timedelta(hours=int(hours_text) if hours_text.isdigit() else paid_hours)
        body |= {"starts_at": starts_at.isoformat(), "ends_at": (starts_at + hours).isoformat()}
    try:
        moved = await api.patch(f"/api/bookings/{booking_id}", body, token=token)
    except ApiProblem as refused:
        if refused.status not in (403, 409, 422):
            raise
        day = starts_at.astimezone(ZoneInfo(views.zone_of(booking))).date() if starts_at else None
        query = {
            "room_id": body["room_id"],
            "day": day.isoformat() if day else "",
            "hours": hours_text,
        }
        context = await _move_context(api, token, booking_id, query, party)
        context["refusal"] = refused.detail or "The booking cannot be moved to that time."
        return render(request, "booker/move.html", context, status=refused.status)
    if _difference_due(moved) and not party.proposes:
        return RedirectResponse(f"/bookings/{booking_id}/move/pay", status_code=303)
    save_session(request, session.with_notice(_moved_words(moved)))
    return RedirectResponse(party.back(booking_id), status_code=303)


def _difference_due(booking: dict[str, Any]) -> bool:
    move = booking.get("move") or {}
    return bool(move.get("client_secret"))


def _moved_words(booking: dict[str, Any]) -> str:
    move = booking.get("move")
    if move is None:
        return f"The booking has moved to {views.when(booking)}."
    if move.get("answer_by"):
        proposed = views.when(booking | {key: move[key] for key in ("starts_at", "ends_at")})
        return f"{proposed} is proposed to the booker: the booking moves once they accept."
    if move.get("amount_due_minor"):
        return "The new time costs more: the booking moves once the booker pays the difference."
    return "The booking is being moved: this page shows when it is done."


@router.get("/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move_page(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep
) -> HTMLResponse:
    return await _page(request, api, token, booking_id, BOOKER)


@router.post("/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    return await _move(request, api, token, session, booking_id, BOOKER)


@router.get("/bookings/{booking_id}/move/pay", response_class=HTMLResponse)
async def pay_difference(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep
) -> Response:
    """The card form for a dearer time's difference, while the new time is held for it."""
    booking = await api.get(f"/api/bookings/{booking_id_of(booking_id)}", token=token)
    page = BOOKER.back(booking["id"])
    if not _difference_due(booking):
        return RedirectResponse(page, status_code=303)
    move = booking["move"]
    pay = views.CardPayment.of(
        booking,
        move["amount_due_minor"],
        move["client_secret"],
        move["pay_by"],
        return_url=page,
        lapsed=f'The new time is no longer held: <a href="{page}/move">choose a time again</a>.',
        now=datetime.now(UTC),
    )
    new_time = booking | {key: move[key] for key in ("starts_at", "ends_at")}
    studio = await api.get(f"/api/studios/{booking['studio_id']}")
    rooms = {room["id"]: room["name"] for room in studio["rooms"]}
    context = {
        "booking": booking,
        "when": views.when(booking),
        "new_when": views.when(new_time),
        "new_room": rooms.get(move["room_id"]),
        "new_total_minor": booking["price"]["total_minor"] + move["amount_due_minor"],
        "pay": pay,
    }
    return render(request, "booker/pay_move.html", context)


@router.get("/owner/bookings/{booking_id}/move", response_class=HTMLResponse)
async def propose_page(
    request: Request, booking_id: str, api: ApiDep, token: OwnerTokenDep
) -> HTMLResponse:
    return await _page(request, api, token, booking_id, OWNER)


@router.post("/owner/bookings/{booking_id}/move", response_class=HTMLResponse)
async def propose(
    request: Request, booking_id: str, api: ApiDep, token: OwnerTokenDep, session: SessionDep
) -> Response:
    return await _move(request, api, token, session, booking_id, OWNER)


@router.post("/bookings/{booking_id}/move/answer")
async def answer(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    """The booker accepts or declines the time the studio proposed."""
    booking_id = booking_id_of(booking_id)
    agreed = (await request.form()).get("answer") == "accept"
    action = "accept_move" if agreed else "decline_move"
    try:
        booking = await api.patch(f"/api/bookings/{booking_id}", {"action": action}, token=token)
    except ApiProblem as refused:
        if refused.status != 409:
            raise
        notice = refused.detail or "That proposal can no longer be answered."
    else:
        if agreed and _difference_due(booking):
            return RedirectResponse(f"/bookings/{booking_id}/move/pay", status_code=303)
        notice = _moved_words(booking) if agreed else "You declined: the booking stays as it is."
    save_session(request, session.with_notice(notice))
    return RedirectResponse(BOOKER.back(booking_id), status_code=303)
