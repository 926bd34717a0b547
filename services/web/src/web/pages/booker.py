"""Booking a studio: free times on a day, the price before committing, the hold and the card
form, then the booking followed until it is confirmed (or says why not)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import booking_views as views
from web.api_client import ApiClient, ApiProblem
from web.deps import AccessTokenDep, ApiDep
from web.formatting import local_time, zone_label
from web.pages import page_router
from web.pages.public import SLUG
from web.rendering import is_htmx, render

router = page_router()


async def _studio(api: ApiClient, key: str) -> dict[str, Any]:
    if not SLUG.match(key):
        raise HTTPException(404)
    try:
        found: dict[str, Any] = await api.get(f"/api/studios/{key}")
    except ApiProblem as missing:
        if missing.status in (404, 422):
            raise HTTPException(404) from missing
        raise
    return found


def _booking_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise HTTPException(404) from None


async def times_context(
    api: ApiClient, studio: dict[str, Any], query: dict[str, str], now: datetime
) -> dict[str, Any]:
    """The "when" form with its errors and, when it is right, the day's free start times."""
    zone = studio["timezone"]
    form = views.TimesForm.of(query, studio, views.today_in(zone, now))
    times: list[views.FreeTime] = []
    if not form.errors:
        start, end = form.window(zone)
        try:
            found = await api.get(
                "/api/availability",
                params={
                    "studio_id": studio["id"], "room_id": form.room_id,
                    "from": max(start, now).isoformat(), "to": end.isoformat(),
                    "duration_minutes": form.hours * 60,
                },
            )  # fmt: skip
            times = views.free_times(found["slots"])
        except ApiProblem as refused:
            if refused.status not in (404, 422):
                raise
            form.errors["day"] = "This studio takes no bookings for that day."
    return {
        "studio": studio,
        "form": form,
        "times": times,
        "zone": zone_label(zone, now),
        "hour_choices": views.hour_choices(studio),
        "room_name": next((r["name"] for r in studio["rooms"] if r["id"] == form.room_id), ""),
    }


@router.get("/studios/{slug}/times", response_class=HTMLResponse)
async def free_times(request: Request, slug: str, api: ApiDep) -> HTMLResponse:
    studio = await _studio(api, slug)
    context = await times_context(api, studio, dict(request.query_params), datetime.now(UTC))
    status = 422 if context["form"].errors else 200
    if is_htmx(request, "book"):
        return render(request, "booker/_book_panel.html", context, status=status)
    return render(request, "booker/times.html", context, status=status)


@router.get("/studios/{slug}/quote", response_class=HTMLResponse)
async def quote(
    request: Request,
    slug: str,
    api: ApiDep,
    room_id: str = "",
    starts_at: str = "",
    hours: int = 1,
    people: str = "1",
) -> HTMLResponse:
    studio = await _studio(api, slug)
    starts = views.parse_instant(starts_at)
    attendees = views.people_of(people)
    if starts is None or not 1 <= hours <= 24 or attendees < 1:
        raise HTTPException(400)
    extras = views.extras_of(request.query_params.multi_items())
    chosen = _Chosen(room_id, starts, hours, attendees)
    try:
        price = await api.get(
            "/api/bookings/quote",
            params={
                "studio_id": studio["id"], "room_id": room_id, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=hours)).isoformat(),
                "attendees": attendees,
                "add_on": [f"{add_on_id}:{n}" for add_on_id, n in extras.items() if n],
            },
        )  # fmt: skip
    except ApiProblem as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        if refused.status != 422:
            raise
        return await _times_again(request, api, studio, chosen, _first(refused))
    the_request = {"room_id": room_id, "starts_at": starts.isoformat(), "hours": hours}
    back = f"/studios/{slug}/quote?" + urlencode(
        {**the_request, "people": attendees}
        | {f"{views.EXTRA_FIELD}{add_on_id}": n for add_on_id, n in extras.items() if n}
    )
    bought = {line["add_on_id"]: line["quantity"] for line in price["price"]["add_ons"]}
    context = {
        "studio": studio,
        "quote": price,
        "when": views.when({**price, "studio_timezone": studio["timezone"]}),
        "hours": hours,
        "people": attendees,
        "the_request": the_request,
        "bought": bought,
        "extras_field": views.EXTRA_FIELD,
        "sign_in_url": "/sign-in?" + urlencode({"next": back}),
        "full_refund_until": _local(price["cancellation"].get("full_refund_until"), studio),
        "request_key": uuid.uuid4().hex,
    }
    return render(request, "booker/quote.html", context)


@router.post("/bookings", response_class=HTMLResponse)
async def book(request: Request, api: ApiDep, token: AccessTokenDep) -> Response:
    form = await request.form()
    studio = await _studio(api, str(form.get("studio_id", "")))
    room_id = str(form.get("room_id", ""))
    starts = views.parse_instant(str(form.get("starts_at", "")))
    hours = int(str(form.get("hours", "1"))) if str(form.get("hours", "")).isdigit() else 0
    attendees = views.people_of(str(form.get("people", "1")))
    if starts is None or not 1 <= hours <= 24 or attendees < 1:
        raise HTTPException(400)
    body = {
        "studio_id": studio["id"], "room_id": room_id, "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(), "attendees": attendees,
        "add_ons": [
            {"add_on_id": add_on_id, "quantity": n}
            for add_on_id, n in views.extras_of(
                (name, str(value)) for name, value in form.multi_items()
            ).items()
        ],
    }  # fmt: skip
    key = str(form.get("request_key", ""))[:64] or None
    try:
        booking = await api.post("/api/bookings", body, token=token, idempotency_key=key)
    except ApiProblem as refused:
        if refused.status == 409:
            message = "Someone else has just booked that time. Please choose another one."
        elif refused.status == 403:
            message = "You cannot book this studio (it is your own)."
        elif refused.status == 422:
            message = _first(refused)
        else:
            raise
        chosen = _Chosen(room_id, starts, hours, attendees)
        return await _times_again(request, api, studio, chosen, message)
    return RedirectResponse(f"/bookings/{booking['id']}/checkout", status_code=303)


@dataclass(frozen=True)
class _Chosen:
    """The room, start, hours and people a quote or booking form asked for."""

    room_id: str
    starts: datetime
    hours: int
    people: int


async def _times_again(
    request: Request, api: ApiClient, studio: dict[str, Any], chosen: _Chosen, message: str
) -> HTMLResponse:
    """The day's other free times, with why the chosen one cannot be booked."""
    day = chosen.starts.astimezone(ZoneInfo(studio["timezone"])).date().isoformat()
    query = {
        "room_id": chosen.room_id,
        "day": day,
        "hours": str(chosen.hours),
        "people": str(chosen.people),
    }
    context = await times_context(api, studio, query, datetime.now(UTC))
    context["refusal"] = message
    return render(request, "booker/times.html", context, status=409)


def _first(refused: ApiProblem) -> str:
    """A refusal of the chosen time in words: the field's message, or the problem's detail."""
    message = next(iter(refused.field_errors.values()), "") or refused.detail or refused.title
    return f"That time cannot be booked: {message}."


def _local(moment: str | None, studio: dict[str, Any]) -> str | None:
    return local_time(datetime.fromisoformat(moment), studio["timezone"]) if moment else None


@router.get("/bookings/{booking_id}/checkout", response_class=HTMLResponse)
async def checkout(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep
) -> Response:
    booking = await api.get(f"/api/bookings/{_booking_id(booking_id)}", token=token)
    if views.stage(booking) != "pending_payment":
        return RedirectResponse(f"/bookings/{booking['id']}", status_code=303)
    page = f"/bookings/{booking['id']}"
    pay = views.CardPayment.of(
        booking,
        booking["price"]["total_minor"],
        booking["client_secret"],
        booking["hold_expires_at"],
        return_url=page,
        lapsed="Your hold has run out: pay now and we book the time if it is still free, or "
        f'<a href="{page}">see your booking and choose another time</a>.',
        now=datetime.now(UTC),
    )
    context = {"booking": booking, "when": views.when(booking), "pay": pay}
    return render(request, "booker/checkout.html", context)
