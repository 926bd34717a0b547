"""Bookings: request (waiting briefly for the saga), list, read, act on."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from booking.api.deps import BookingUnitsDep, SettingsDep, WatcherDep
from booking.api.request_schemas import ActionIn, BookingIn
from booking.api.schemas import BookingOut, BookingPage
from booking.domain.booking import ENDED, Booking, Status, View
from booking.repositories import BookingQuery
from booking.service import actions, booking_requests, moves, reads
from contracts.values import UtcDatetime
from service_runtime.auth import BookerUser, CurrentUser
from service_runtime.problems import problem_response

router = APIRouter(tags=["bookings"])

MAX_OFFSET = 10_000
"""Deeper pages are narrowed by status or start time instead of scanned."""
MAX_LONG_POLL_SECONDS = 20.0
"""Under the gateway's read timeout, and short enough that a lost client frees its wait soon."""


@router.post(
    "/api/bookings",
    status_code=201,
    response_model=BookingOut,
    responses={
        202: {"description": "The saga has not answered yet: poll the Location."},
        409: {"description": "The slots are not available (problem+json)."},
    },
)
async def request_booking(
    body: BookingIn,
    principal: BookerUser,
    units: BookingUnitsDep,
    settings: SettingsDep,
    watcher: WatcherDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """Price and request a booking; answer once the slots are held and payment can start."""
    if settings.require_verified_email and not principal.email_verified:
        raise HTTPException(
            403, "Verify your email address before booking: open the link we emailed you."
        )
    booking, studio = await booking_requests.request_booking(
        units,
        principal=principal,
        request=body.to_request(),
        idempotency_key=idempotency_key,
        platform_fee_percent=settings.platform_fee_percent,
        max_hours=settings.max_booking_hours,
        rules=settings.saga_rules(),
    )
    booking = await watcher.wait_until(
        booking.id,
        lambda: reads.booking_state(units, booking.id),
        lambda current: current.answered,
        settings.hold_wait_seconds,
        wakes=lambda change: change.answered,
        loaded=booking,
    )
    location = {"Location": f"/api/bookings/{booking.id}"}
    if booking.status in ENDED:
        reason = booking.failure_reason or booking.cancellation_reason
        return problem_response(
            409,
            f"The booking could not be made: {reason}.",
            title="Booking not possible",
            headers=location,
            booking_id=str(booking.id),
            booking_status=booking.status.value,
            reason=str(reason),
        )
    out = BookingOut.of(booking, viewer=principal.user_id, studio=studio)
    code = 201 if booking.answered else 202
    return JSONResponse(out.model_dump(mode="json"), status_code=code, headers=location)


@router.get("/api/bookings")
async def list_bookings(
    principal: CurrentUser,
    units: BookingUnitsDep,
    status: Annotated[list[Status] | None, Query(max_length=len(Status))] = None,
    view: Annotated[
        View | None,
        Query(
            description="upcoming (live, not over; soonest first), past (over or settled; "
            "latest first) or cancelled (cancelled or failed; latest first)"
        ),
    ] = None,
    party: Annotated[
        reads.Party | None,
        Query(
            description="booker: only the caller's own bookings; owner: only the bookings of "
            "the caller's studios (owners and admins)"
        ),
    ] = None,
    starts_from: UtcDatetime | None = None,
    starts_before: UtcDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> BookingPage:
    """A booker's bookings, an owner's studios' bookings (and own), or all for admins."""
    query = BookingQuery(
        statuses=tuple(dict.fromkeys(status or ())),
        view=view,
        starts_from=starts_from,
        starts_before=starts_before,
        limit=limit,
        offset=offset,
    )
    items, total, studios = await reads.list_bookings(units, principal, query, party)
    viewer = principal.user_id
    return BookingPage(
        items=[
            BookingOut.of(item, viewer=viewer, studio=studios.get(item.studio_id)) for item in items
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/api/bookings/{booking_id}",
    response_model=BookingOut,
    responses={
        304: {
            "description": "The booking is still at the version If-None-Match named (after "
            "waiting as long as `Prefer: wait=<seconds>` asked, at most 20 s)."
        }
    },
)
async def get_booking(
    booking_id: uuid.UUID,
    principal: CurrentUser,
    units: BookingUnitsDep,
    settings: SettingsDep,
    watcher: WatcherDep,
    if_none_match: Annotated[str | None, Header(max_length=64)] = None,
    prefer: Annotated[str | None, Header(max_length=128)] = None,
) -> Response:
    """The booking, with its version as ETag. A client waiting for a change (the booker's page
    after paying) sends `If-None-Match` with the version it has and `Prefer: wait=20`: the answer
    comes as soon as the booking changes, or 304 when the wait ends first (a long poll). A state
    the saga passes through on its own (confirming) answers only if it lasts a moment: the next
    one, usually milliseconds later, answers instead."""
    if if_none_match is not None and (wait := long_poll_seconds(prefer)):
        # Watching from before the first look: a change committed meanwhile still wakes it.
        # A look reads the version alone (and checks the caller may see the booking); the
        # booking is loaded once, to answer a change. The booker's look at the version this
        # process last heard of needs no read: a newer one's NOTIFY wakes the wait.
        async def look() -> int:
            known = watcher.known_version(booking_id, principal.user_id)
            if known is not None and _etag(known) == if_none_match:
                return known
            return await reads.booking_version(units, principal, booking_id)

        changed = await watcher.wait_for_version(
            booking_id,
            look,
            lambda version: _etag(version) != if_none_match,
            wait,
            passing_grace_seconds=settings.long_poll_passing_grace_seconds,
        )
        if not changed:
            return Response(status_code=304, headers={"ETag": if_none_match})
    booking, history, studio = await reads.get_booking(units, principal, booking_id)
    etag = {"ETag": _etag(booking.version)}
    if if_none_match == etag["ETag"]:
        return Response(status_code=304, headers=etag)
    out = BookingOut.of(booking, viewer=principal.user_id, studio=studio, history=history)
    return JSONResponse(out.model_dump(mode="json"), headers=etag)


def _etag(version: int) -> str:
    return f'"{version}"'


def long_poll_seconds(prefer: str | None) -> float:
    """The wait a `Prefer` header asks for (RFC 7240), bounded; 0 when it asks for none."""
    asked = re.search(r"(?:^|[,;\s])wait=(\d{1,6})\b", prefer or "")
    return min(float(asked.group(1)), MAX_LONG_POLL_SECONDS) if asked else 0.0


@router.patch(
    "/api/bookings/{booking_id}",
    response_model=BookingOut,
    responses={
        202: {
            "description": "reschedule: the move is still under way (or waits for the booker "
            "to pay the difference with move.client_secret); GET the booking."
        },
        409: {
            "description": "Not possible in the booking's state, or the new time is not "
            "available (problem+json; the booking stays as it was)."
        },
    },
)
async def act_on_booking(
    booking_id: uuid.UUID,
    body: ActionIn,
    principal: CurrentUser,
    units: BookingUnitsDep,
    settings: SettingsDep,
    watcher: WatcherDep,
) -> JSONResponse:
    """cancel (booker or owner), complete or no_show (owner or admin), reschedule (booker or
    admin: answers once the booking has moved, or with 409 when it could not, or with 202 and
    the move's client secret when a dearer time waits for the booker to pay the difference; the
    studio's owner: proposes the time to the booker), accept_move or decline_move (the booker,
    about a proposed time)."""
    rules = settings.saga_rules()
    if body.action == "reschedule":
        request = body.move_request()
        booking = await moves.reschedule(
            units, principal, booking_id, request, rules, max_hours=settings.max_booking_hours
        )
    elif body.action in ("accept_move", "decline_move"):
        agreed = body.action == "accept_move"
        booking = await moves.answer_move(units, principal, booking_id, agreed, rules)
    else:
        booking = await actions.act(units, principal, booking_id, body.action, rules)
        return await _booking_response(units, booking, principal.user_id)
    booking = await watcher.wait_until(
        booking_id,
        lambda: reads.booking_state(units, booking_id),
        lambda current: current.move is None or current.move.awaits_booker or _payable(current),
        settings.hold_wait_seconds,
    )
    if booking.move is None and booking.move_failure is not None and body.action != "decline_move":
        return problem_response(
            409,
            f"The booking could not be moved: {booking.move_failure}.",
            title="Move not possible",
            booking_id=str(booking.id),
        )
    still_moving = booking.move is not None and not booking.move.awaits_booker
    return await _booking_response(units, booking, principal.user_id, 202 if still_moving else 200)


def _payable(booking: Booking) -> bool:
    """Whether the booker can pay the difference of a dearer move: its client secret is out."""
    return booking.move is not None and booking.move.client_secret is not None


async def _booking_response(
    units: BookingUnitsDep, booking: Booking, viewer: uuid.UUID, code: int = 200
) -> JSONResponse:
    studios = await reads.studios_of(units, [booking])
    out = BookingOut.of(booking, viewer=viewer, studio=studios.get(booking.studio_id))
    return JSONResponse(out.model_dump(mode="json"), status_code=code)
