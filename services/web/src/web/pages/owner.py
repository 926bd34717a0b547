"""The owner's dashboard, and one booking of their studios with what they may do to it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiClient, ApiProblem
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.my_bookings import proposal_words
from web.pages.owner_access import OwnerTokenDep, booking_times, instant_there
from web.rendering import render
from web.security import save_session

router = page_router()
NEXT_BOOKINGS = 5
MAX_MESSAGE = 4000  # booking's bound on a message
ACTIONS = {
    "accept": ("Accept the request", "Request accepted: the booking is being confirmed."),
    "decline": ("Decline the request", "Request declined: the booker gets everything back."),
    "complete": ("Mark as completed", "The booking is completed."),
    "no_show": ("The booker did not come", "The booking is marked as a no-show."),
    "cancel": ("Cancel this booking", "The booking is cancelled; the booker is refunded in full."),
}
STATUS_WORDS = {
    "requested": "Requested",
    "pending_payment": "Waiting for payment",
    "awaiting_owner": "Waiting for your answer",
    "confirming": "Confirming",
    "confirmed": "Confirmed",
    "completed": "Completed",
    "no_show": "No-show",
    "cancelled": "Cancelled",
    "failed": "Failed",
    "disputed": "Disputed",
}


@router.get("/owner", response_class=HTMLResponse)
async def dashboard(request: Request, api: ApiDep, token: OwnerTokenDep) -> HTMLResponse:
    studios = await api.get("/api/owner/studios", token=token)
    bookings = await _next_of_studios(api, token, "confirmed")
    requests = await _next_of_studios(api, token, "awaiting_owner")
    # Earnings are counted by months of one zone: the owner's first studio's, else UTC.
    timezone = studios[0]["timezone"] if studios else "UTC"
    summary = await api.get(
        "/api/payments/owner/summary", params={"timezone": timezone}, token=token
    )
    context = {
        "studios": studios,
        "bookings": [_shown(booking) for booking in bookings["items"]],
        "requests": [_shown(booking) for booking in requests["items"]],
        "more_bookings": bookings["total"] > len(bookings["items"]),
        "summary": summary,
        "month": datetime.strptime(summary["month"], "%Y-%m").strftime("%B %Y"),
    }
    return render(request, "owner/dashboard.html", context)


async def _next_of_studios(api: ApiClient, token: str, status: str) -> dict[str, Any]:
    """The owner's next bookings in this status, soonest first."""
    params: dict[str, str | int] = {
        "party": "owner", "view": "upcoming", "status": status, "limit": NEXT_BOOKINGS,
    }  # fmt: skip
    page: dict[str, Any] = await api.get("/api/bookings", params=params, token=token)
    return page


@router.get("/owner/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(
    request: Request, booking_id: uuid.UUID, api: ApiDep, token: OwnerTokenDep
) -> HTMLResponse:
    return await _booking_page(request, api, token, booking_id)


@router.post("/owner/bookings/{booking_id}")
async def act_on_booking(
    request: Request, booking_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    form = await request.form()
    action = form.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise HTTPException(400)
    why = str(form.get("message", "")).strip()[:MAX_MESSAGE]
    try:
        if action == "decline" and why:  # said in the conversation the booker reads
            await api.post(f"/api/bookings/{booking_id}/messages", {"body": why}, token=token)
        await api.patch(f"/api/bookings/{booking_id}", {"action": action}, token=token)
    except ApiProblem as refused:
        if refused.status != 409:
            raise
        refusal = refused.detail or "The booking cannot take that step now."
        return await _booking_page(request, api, token, booking_id, refusal=refusal, status=409)
    save_session(request, session.with_notice(ACTIONS[action][1]))
    return RedirectResponse(f"/owner/bookings/{booking_id}", status_code=303)


async def _booking_page(
    request: Request,
    api: ApiDep,
    token: str,
    booking_id: uuid.UUID,
    *,
    refusal: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        booking = await api.get(f"/api/bookings/{booking_id}", token=token)
        cancellation = await api.get(f"/api/bookings/{booking_id}/cancellation", token=token)
    except ApiProblem as missing:
        if missing.status in (403, 404):
            raise HTTPException(404) from missing
        raise
    started = datetime.fromisoformat(booking["starts_at"]) <= datetime.now(UTC)
    context = {
        "booking": _shown(booking),
        "started": started,
        "cancellation": cancellation,
        "actions": ACTIONS,
        "refusal": refusal,
    }
    return render(request, "owner/booking.html", context, status=status)


def _shown(booking: dict[str, Any]) -> dict[str, Any]:
    """The booking with its times and status in words, for the templates."""
    return {
        **booking,
        **proposal_words(booking),
        "when": booking_times(booking),
        "status_words": STATUS_WORDS.get(booking["status"], booking["status"]),
        "respond_by_words": (
            instant_there(booking["respond_by"], booking["studio_timezone"])
            if booking.get("respond_by") and booking.get("studio_timezone")
            else None
        ),
    }
