"""An owner creates and edits a studio with its rooms, prices, amenities and photos, and
publishes or unlists it. Every change goes to catalog, which decides what is allowed."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiClient, ApiProblem
from web.deps import ApiDep, SessionDep
from web.formatting import POLICY_WORDS
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, owned_studio
from web.rendering import render
from web.search_form import AMENITIES, CURRENCIES
from web.security import save_session
from web.sessions import Session
from web.studio_form import StudioForm

router = page_router()
STATUS_CHANGES = {
    "publish": "Your studio is published: bookers can find and book it.",
    "unlist": "Your studio is unlisted: bookers no longer find it; bookings made stay.",
}


@router.get("/owner/studios/new", response_class=HTMLResponse)
async def new_studio(request: Request, token: OwnerTokenDep) -> HTMLResponse:
    return _form_page(request, StudioForm.blank(), None)


@router.post("/owner/studios/new")
async def create_studio(
    request: Request, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    form = StudioForm.of_form(await request.form())
    body = form.studio_body()
    rooms = [room for _, room in form.room_bodies() if room is not None]
    if body is None or form.errors:
        return _form_page(request, form.with_blank_rows(), None, status=422)
    try:
        created = await api.post("/api/studios", body | {"rooms": rooms}, token=token)
    except ApiProblem as refused:
        if refused.status != 422:
            raise
        form.take_api_errors(refused.field_errors)
        return _form_page(request, form.with_blank_rows(), None, status=422)
    notice = "Your studio is saved as a draft. Publish it, then set its opening hours."
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/owner/studios/{created['id']}", status_code=303)


@router.get("/owner/studios/{studio_id}", response_class=HTMLResponse)
async def edit_studio_page(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: OwnerTokenDep
) -> HTMLResponse:
    studio = await owned_studio(request, api, str(studio_id), token)
    return _form_page(request, StudioForm.of_studio(studio), studio)


@router.post("/owner/studios/{studio_id}")
async def edit_studio(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    sent = await request.form()
    form = StudioForm.of_form(sent)
    body = form.studio_body()
    rooms = form.room_bodies()
    if body is None or form.errors:
        return _form_page(request, form.with_blank_rows(), studio, status=422)
    version = sent.get("version")
    if not isinstance(version, str) or not version.isdigit():
        raise HTTPException(400)
    try:
        await api.patch(f"/api/studios/{studio_id}", body | {"version": int(version)}, token=token)
        await _save_rooms(api, str(studio_id), rooms, studio, token)
    except ApiProblem as refused:
        if refused.status == 422:
            form.take_api_errors(refused.field_errors)
        elif refused.status == 409:
            form.errors["form"] = refused.detail or "The studio changed meanwhile. Reload it."
        else:
            raise
        return _form_page(request, form.with_blank_rows(), studio, status=refused.status)
    save_session(request, session.with_notice("Your changes are saved."))
    return RedirectResponse(f"/owner/studios/{studio_id}", status_code=303)


@router.post("/owner/studios/{studio_id}/publish")
async def publish(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    return await _change_status(request, studio_id, "publish", api, session, token)


@router.post("/owner/studios/{studio_id}/unlist")
async def unlist(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    return await _change_status(request, studio_id, "unlist", api, session, token)


async def _change_status(
    request: Request,
    studio_id: uuid.UUID,
    change: str,
    api: ApiClient,
    session: Session,
    token: str,
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    try:
        await api.post(f"/api/studios/{studio_id}/{change}", {}, token=token)
    except ApiProblem as refused:
        if refused.status not in (409, 422):
            raise
        form = StudioForm.of_studio(studio)
        form.errors["status"] = refused.detail or "That is not possible for this studio now."
        return _form_page(request, form, studio, status=409)
    save_session(request, session.with_notice(STATUS_CHANGES[change]))
    return RedirectResponse(f"/owner/studios/{studio_id}", status_code=303)


async def _save_rooms(
    api: ApiClient,
    studio_id: str,
    rooms: list[tuple[str, dict[str, Any] | None]],
    studio: dict[str, Any],
    token: str,
) -> None:
    """Each room row as catalog's call: new rooms added, changed ones replaced, ticked ones
    removed; rooms as they were are left alone (each call raises the studio's version)."""
    existing = {str(room["id"]): room for room in studio["rooms"]}
    for room_id, body in rooms:
        path = f"/api/studios/{studio_id}/rooms"
        if body is None:
            if room_id in existing:
                await api.delete(f"{path}/{room_id}", token=token)
        elif room_id not in existing:
            await api.post(path, body, token=token)
        elif _room_changed(existing[room_id], body):
            await api.put(f"{path}/{room_id}", body, token=token)


def _room_changed(room: dict[str, Any], body: dict[str, Any]) -> bool:
    price = room["hourly_price_minor"] if room.get("price_overridden") else None
    return (room["name"], room["capacity"], price) != (
        body["name"], body["capacity"], body.get("hourly_price_minor"),
    )  # fmt: skip


def _form_page(
    request: Request, form: StudioForm, studio: dict[str, Any] | None, status: int = 200
) -> HTMLResponse:
    context = {
        "form": form,
        "studio": studio,
        "amenity_names": AMENITIES,
        "currencies": CURRENCIES,
        "policies": POLICY_WORDS,
        "here": "new" if studio is None else "studio",
    }
    return render(request, "owner/studio_form.html", context, status=status)
