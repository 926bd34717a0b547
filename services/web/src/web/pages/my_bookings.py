"""A booker's bookings: the list, one booking followed live, cancelling with its refund shown
first, messages with the owner, and a review once the session is over."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import BackgroundTasks, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import booking_views as views
from web.api_client import ApiClient, ApiProblem, ApiUnavailable
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.formatting import money
from web.pages import page_router
from web.rendering import render
from web.security import save_session

log = logging.getLogger(__name__)
router = page_router()
LISTED = 50
MAX_MESSAGE = 4000
MAX_REVIEW = 2000
STATUS_WAIT_SECONDS = 20
"""How long one status request waits for a change before htmx asks again."""


def booking_id_of(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise HTTPException(404) from None


async def _form_text(request: Request, name: str, limit: int) -> str:
    value = (await request.form()).get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.get("/bookings", response_class=HTMLResponse)
async def my_bookings(
    request: Request, api: ApiDep, token: AccessTokenDep, view: str = "upcoming"
) -> HTMLResponse:
    if view not in views.VIEWS:
        view = "upcoming"
    page = await api.get(
        "/api/bookings", params={"view": view, "party": "booker", "limit": LISTED}, token=token
    )
    context = {"bookings": page["items"], "total": page["total"], "view": view}
    context["views"] = views.VIEWS
    return render(request, "booker/bookings.html", context)


async def _booking_context(
    api: ApiClient, token: str, booking_id: str, paid: bool
) -> dict[str, Any]:
    booking = await api.get(f"/api/bookings/{booking_id}", token=token)
    return {
        "booking": booking,
        "when": views.when(booking),
        "stage": views.stage(booking),
        "live": views.stage(booking) in views.LIVE,
        "moving": bool(booking.get("move")) and not booking["move"].get("answer_by"),
        "paid": paid,
        "lapsed": views.lapsed(booking),
        "why_not": views.why_not_booked(booking),
        "other_times": _other_times_url(booking),
        **proposal_words(booking),
    }


def proposal_words(booking: dict[str, Any]) -> dict[str, str]:
    """A time the studio proposed, in the studio's words and clock."""
    move = booking.get("move")
    if not move or not move.get("answer_by"):
        return {}
    proposed = booking | {"starts_at": move["starts_at"], "ends_at": move["ends_at"]}
    answer_by = views.local_text(move["answer_by"], views.zone_of(booking))
    return {"proposed_when": views.when(proposed), "proposed_answer_by": answer_by}


def _other_times_url(booking: dict[str, Any]) -> str:
    day = datetime.fromisoformat(booking["local_starts_at"] or booking["starts_at"]).date()
    return f"/studios/{booking['studio_id']}/times?room_id={booking['room_id']}&day={day}"


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(
    request: Request,
    booking_id: str,
    api: ApiDep,
    token: AccessTokenDep,
    after_response: BackgroundTasks,
    redirect_status: str = "",
) -> HTMLResponse:
    """The booking, followed live. Coming back from Stripe.js with the card through
    (`redirect_status=succeeded`, as Stripe's own redirect says it), payments is asked to read
    the payment at once, after the page is sent, rather than wait for Stripe's webhook."""
    paid = redirect_status == "succeeded"
    context = await _booking_context(api, token, booking_id_of(booking_id), paid)
    booking = context["booking"]
    if paid and views.awaits_card(booking):
        after_response.add_task(_card_went_through, api, token, booking["id"])
    messages: list[dict[str, Any]] = await api.get(
        f"/api/bookings/{booking['id']}/messages", params={"limit": 100}, token=token
    )
    context |= {"messages": messages, "errors": {}, "values": {}}
    return render(request, "booker/booking.html", context)


async def _card_went_through(api: ApiClient, token: str, booking_id: str) -> None:
    """Payments reads the booking's payment at Stripe. Should that fail, the webhook still
    comes, and the page follows the booking either way."""
    try:
        await api.post(f"/api/payments/bookings/{booking_id}/card-confirmed", {}, token=token)
    except (ApiProblem, ApiUnavailable) as error:
        log.warning("payments not told that booking %s's card went through: %s", booking_id, error)


@router.get("/bookings/{booking_id}/status")
async def booking_status(
    booking_id: str,
    api: ApiDep,
    token: AccessTokenDep,
    was: str = "",
    version: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Asked by htmx while the saga moves, as a long poll: the answer comes when the booking
    changes (or the wait ends, and htmx asks again). Then the whole page again, since paying,
    cancelling and messages all depend on the status; a time just held (the booking request
    outlasted its wait) goes on to the card form."""
    booking = await api.changed(
        f"/api/bookings/{booking_id_of(booking_id)}",
        version=version,
        wait_seconds=STATUS_WAIT_SECONDS,
        token=token,
    )
    if booking is None:
        return Response(status_code=204, headers={"HX-Trigger": "booking-unchanged"})
    now = views.stage(booking)
    if was in ("requested", "preparing_payment") and now == "pending_payment":
        checkout = f"/bookings/{booking['id']}/checkout"
        return Response(status_code=204, headers={"HX-Redirect": checkout})
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.get("/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel_page(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep
) -> HTMLResponse:
    booking = await api.get(f"/api/bookings/{booking_id_of(booking_id)}", token=token)
    preview = await api.get(f"/api/bookings/{booking['id']}/cancellation", token=token)
    context = {
        "booking": booking,
        "when": views.when(booking),
        "preview": preview,
        "refund_words": views.refund_words(preview),
    }
    return render(request, "booker/cancel.html", context)


@router.post("/bookings/{booking_id}/cancel")
async def cancel(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    path = f"/api/bookings/{booking_id_of(booking_id)}"
    try:
        booking = await api.patch(path, {"action": "cancel"}, token=token)
    except ApiProblem as refused:
        if refused.status != 409:
            raise
        notice = "This booking can no longer be cancelled."
    else:
        refund = booking.get("refund_minor") or 0
        amount = money(refund, booking["price"]["currency"])
        notice = "Your booking is cancelled." + (
            f" {amount} will be refunded to your card." if refund else ""
        )
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/bookings/{booking_id}", status_code=303)


@router.post("/bookings/{booking_id}/messages", response_class=HTMLResponse)
async def send_message(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    booking_id = booking_id_of(booking_id)
    body = await _form_text(request, "body", MAX_MESSAGE + 1)
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = "Write a message first."
    elif len(body) > MAX_MESSAGE:
        errors["body"] = f"Keep a message under {MAX_MESSAGE} characters."
    else:
        try:
            await api.post(f"/api/bookings/{booking_id}/messages", {"body": body}, token=token)
        except ApiProblem as refused:
            if refused.status == 409:
                errors["body"] = "This booking has reached its limit of messages."
            elif refused.status == 422:
                errors["body"] = refused.field_errors.get("body", "This message cannot be sent.")
            else:
                raise
    if not errors:
        save_session(request, session.with_notice("Your message is sent."))
        return RedirectResponse(f"/bookings/{booking_id}#messages", status_code=303)
    return await _booking_again(request, api, token, booking_id, errors, {"body": body})


@router.post("/bookings/{booking_id}/review", response_class=HTMLResponse)
async def review(
    request: Request, booking_id: str, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    booking_id = booking_id_of(booking_id)
    rating = await _form_text(request, "rating", 2)
    text = await _form_text(request, "text", MAX_REVIEW)
    errors: dict[str, str] = {}
    if rating not in {"1", "2", "3", "4", "5"}:
        errors["rating"] = "Choose from 1 to 5 stars."
    else:
        booking = await api.get(f"/api/bookings/{booking_id}", token=token)
        body = {"booking_id": booking_id, "rating": int(rating), "text": text}
        try:
            await api.post(f"/api/studios/{booking['studio_id']}/reviews", body, token=token)
        except ApiProblem as refused:
            if refused.status == 409:
                errors["rating"] = "You have reviewed this booking already."
            elif refused.status in (403, 422):
                errors = {
                    name if name in ("rating", "text") else "rating": message
                    for name, message in refused.field_errors.items()
                } or {"rating": "Only a completed booking of yours can be reviewed."}
            else:
                raise
    if not errors:
        save_session(request, session.with_notice("Thank you: your review is published."))
        return RedirectResponse(f"/bookings/{booking_id}", status_code=303)
    values = {"rating": rating, "text": text}
    return await _booking_again(request, api, token, booking_id, errors, values)


async def _booking_again(
    request: Request,
    api: ApiClient,
    token: str,
    booking_id: str,
    errors: dict[str, str],
    values: dict[str, str],
) -> HTMLResponse:
    """The booking page again with what was typed and what was wrong beside its field."""
    context = await _booking_context(api, token, booking_id, paid=False)
    messages = await api.get(
        f"/api/bookings/{booking_id}/messages", params={"limit": 100}, token=token
    )
    context |= {"messages": messages, "errors": errors, "values": values}
    return render(request, "booker/booking.html", context, status=422)
