"""A studio's weekly opening hours, closed days (blackouts) and booking settings, kept by
availability in the studio's local wall-clock time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiClient, ApiProblem
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, owned_studio
from web.rendering import render
from web.security import save_session
from web.studio_form import sentence
from web.weekly_hours import WEEKDAYS, BlackoutForm, ExtraHoursForm, WeeklyHours

router = page_router()
SETTINGS = {
    "slot_minutes": ("Start times every (minutes)", "Bookings start on this grid from opening."),
    "min_notice_minutes": ("Notice needed (minutes)", "How long before the start one may book."),
    "buffer_before_minutes": (
        "Set-up time before each booking (minutes)",
        "No other booking may end within it.",
    ),
    "buffer_minutes": (
        "Break after each booking (minutes)",
        "No other booking may start within it.",
    ),
    "max_advance_days": ("Book up to (days ahead)", "How far ahead people may book."),
}
NOT_KNOWN_YET = "Our booking calendar is still learning about this studio. Reload in a moment."
DRAFT = "Publish the studio first: opening hours and closed days can be set once it is listed."


@router.get("/owner/studios/{studio_id}/hours", response_class=HTMLResponse)
async def hours_page(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: OwnerTokenDep
) -> HTMLResponse:
    return await _page(request, api, str(studio_id), token)


@router.post("/owner/studios/{studio_id}/hours")
async def save_hours(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    path = f"/api/availability/studios/{studio_id}/rules"
    await owned_studio(request, api, str(studio_id), token)
    current = await api.get(path, token=token)
    room_rules = [rule for rule in current["rules"] if rule.get("room_id")]
    hours = WeeklyHours.of_form(await request.form(), room_rules)
    rules = hours.rules()
    if rules is not None:
        try:
            await api.put(path, {"rules": rules}, token=token)
        except ApiProblem as refused:
            if refused.status != 422:
                raise
            hours.errors["hours"] = refused.detail or "Availability refused these hours."
        else:
            return _saved(request, session, studio_id, "Opening hours saved.")
    return await _page(request, api, str(studio_id), token, hours=hours, status=422)


@router.post("/owner/studios/{studio_id}/settings")
async def save_settings(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    await owned_studio(request, api, str(studio_id), token)
    form = await request.form()
    values = {name: str(form.get(name, "")).strip()[:10] for name in SETTINGS}
    errors = {name: "Enter a whole number." for name, v in values.items() if not v.isdigit()}
    if not errors:
        try:
            body = {name: int(value) for name, value in values.items()}
            await api.put(f"/api/availability/studios/{studio_id}/settings", body, token=token)
            return _saved(request, session, studio_id, "Booking settings saved.")
        except ApiProblem as refused:
            if refused.status != 422:
                raise
            errors = {name: sentence(m) for name, m in refused.field_errors.items()}
            errors = errors or {"slot_minutes": refused.detail}
    return await _page(request, api, str(studio_id), token, settings=(values, errors), status=422)


@router.post("/owner/studios/{studio_id}/blackouts")
async def add_blackout(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    blackout = BlackoutForm.of_form(await request.form())
    today = datetime.now(UTC).astimezone(ZoneInfo(studio["timezone"])).date()
    body = blackout.body([str(room["id"]) for room in studio["rooms"]], today)
    if body is not None:
        try:
            await api.post(f"/api/availability/studios/{studio_id}/blackouts", body, token=token)
            return _saved(request, session, studio_id, "Closed days added.")
        except ApiProblem as refused:
            if refused.status not in (409, 422):
                raise
            blackout.errors.update(refused.field_errors or {"first_day": refused.detail})
    return await _page(request, api, str(studio_id), token, blackout=blackout, status=422)


@router.post("/owner/studios/{studio_id}/blackouts/{blackout_id}/remove")
async def remove_blackout(
    request: Request,
    studio_id: uuid.UUID,
    blackout_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    await owned_studio(request, api, str(studio_id), token)
    path = f"/api/availability/studios/{studio_id}/blackouts/{blackout_id}"
    try:
        await api.delete(path, token=token)
    except ApiProblem as refused:
        if refused.status != 404:  # already gone: what the owner wanted
            raise
    return _saved(request, session, studio_id, "Those days are open again.")


@router.post("/owner/studios/{studio_id}/extra-hours")
async def add_extra_hours(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    extra = ExtraHoursForm.of_form(await request.form())
    today = datetime.now(UTC).astimezone(ZoneInfo(studio["timezone"])).date()
    body = extra.body([str(room["id"]) for room in studio["rooms"]], today)
    if body is not None:
        try:
            await api.post(f"/api/availability/studios/{studio_id}/extra-hours", body, token=token)
            return _saved(request, session, studio_id, "Extra opening hours added.")
        except ApiProblem as refused:
            if refused.status not in (409, 422):
                raise
            extra.errors["extra_day"] = refused.detail or "Availability refused these hours."
    return await _page(request, api, str(studio_id), token, extra=extra, status=422)


@router.post("/owner/studios/{studio_id}/extra-hours/{extra_id}/remove")
async def remove_extra_hours(
    request: Request,
    studio_id: uuid.UUID,
    extra_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    await owned_studio(request, api, str(studio_id), token)
    path = f"/api/availability/studios/{studio_id}/extra-hours/{extra_id}"
    try:
        await api.delete(path, token=token)
    except ApiProblem as refused:
        if refused.status != 404:  # already gone: what the owner wanted
            raise
    return _saved(request, session, studio_id, "Those extra hours are removed.")


async def _page(
    request: Request,
    api: ApiClient,
    studio_id: str,
    token: str,
    *,
    hours: WeeklyHours | None = None,
    settings: tuple[dict[str, str], dict[str, str]] | None = None,
    blackout: BlackoutForm | None = None,
    extra: ExtraHoursForm | None = None,
    status: int = 200,
) -> HTMLResponse:
    studio = await owned_studio(request, api, studio_id, token)
    base = f"/api/availability/studios/{studio_id}"
    try:
        rules = await api.get(f"{base}/rules", token=token)
        blackouts = await api.get(f"{base}/blackouts", token=token)
        extras = await api.get(f"{base}/extra-hours", token=token)
        policy = await api.get(f"{base}/settings", token=token)
    except ApiProblem as unknown:
        if unknown.status != 404:
            raise
        words = DRAFT if studio["status"] == "draft" else NOT_KNOWN_YET
        return render(request, "owner/hours.html", {"studio": studio, "not_known": words})
    rooms = {str(room["id"]): room["name"] for room in studio["rooms"]}
    context: dict[str, Any] = {
        "studio": studio,
        "weekdays": WEEKDAYS,
        "hours": hours or WeeklyHours.of_rules(rules["rules"]),
        "room_names": rooms,
        "blackouts": sorted(blackouts, key=lambda b: b.get("first_day") or b["starts_at"]),
        "blackout": blackout or BlackoutForm(),
        "extras": extras,
        "extra": extra or ExtraHoursForm(),
        "settings_fields": SETTINGS,
        "settings": settings or ({name: str(policy[name]) for name in SETTINGS}, {}),
    }
    return render(request, "owner/hours.html", context, status=status)


def _saved(request: Request, session: Any, studio_id: uuid.UUID, notice: str) -> Response:
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/owner/studios/{studio_id}/hours", status_code=303)
