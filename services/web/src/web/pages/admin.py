"""The admins' pages: studios to moderate, users and their roles, any booking's timeline.

The page checks the session's role only to say "admins only" early; the API checks the token's
role on every call, so a person demoted meanwhile still gets nothing (a 403 page).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.moderation import (
    MAX_QUERY,
    ROLES,
    booking_id,
    role_choice,
    search_words,
    studio_key,
    suspension_reason,
    timeline_rows,
)
from web.pages import page_router
from web.rendering import render
from web.security import save_session

router = page_router()
STUDIOS_LISTED = 20
USERS_LISTED = 25
MAX_CURSOR = 200  # identity's bound on its cursors


class AdminsOnly(Exception):
    """A signed-in person who is not an admin opened an admin page."""


async def _admin_token(token: AccessTokenDep, session: SessionDep) -> str:
    """The signed-in admin's token; sign-in for nobody, AdminsOnly for anyone else."""
    if session.user is None or session.user.role != "admin":
        raise AdminsOnly()
    return token


AdminTokenDep = Annotated[str, Depends(_admin_token)]
# Longer than the API takes, so that a page can name the field instead of refusing the request.
Words = Annotated[str, Query(max_length=10 * MAX_QUERY)]


async def admins_only_page(request: Request, error: Exception) -> Response:
    context = {"title": "Admins only", "advice": "Only OneTime Studios' admins may open this page."}
    return render(request, "admin/admins_only.html", context, status=403)


@router.get("/admin", response_class=HTMLResponse)
async def overview(request: Request, _: AdminTokenDep) -> HTMLResponse:
    return render(request, "admin/overview.html")


@router.get("/admin/studios", response_class=HTMLResponse)
async def studios(request: Request, api: ApiDep, token: AdminTokenDep, q: Words = "") -> Response:
    words, error = search_words(q)
    if error is not None:
        context = {"q": words, "studios": [], "errors": {"q": error}}
        return render(request, "admin/studios.html", context, status=422)
    found: list[dict[str, Any]] = []
    key = studio_key(words)
    if key:  # an id or slug finds a studio in any status, suspended ones included
        try:
            found.append(await api.get(f"/api/studios/{key}", token=token))
        except ApiProblem as missing:
            if missing.status not in (404, 422):
                raise
    params: dict[str, str | int] = {"limit": STUDIOS_LISTED, **({"q": words} if words else {})}
    page = await api.get("/api/studios", params=params, token=token)
    known = {studio["id"] for studio in found}
    found += [hit for hit in page["items"] if hit["id"] not in known]
    return render(request, "admin/studios.html", {"q": words, "studios": found, "errors": {}})


@router.get("/admin/studios/{studio_id}", response_class=HTMLResponse)
async def studio(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: AdminTokenDep
) -> HTMLResponse:
    found = await _studio(api, token, studio_id)
    return render(request, "admin/studio.html", {"studio": found, "reason": "", "errors": {}})


@router.post("/admin/studios/{studio_id}/suspend", response_class=HTMLResponse)
async def suspend(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: AdminTokenDep, session: SessionDep
) -> Response:
    form = await request.form()
    typed = form.get("reason")
    reason, error = suspension_reason(typed if isinstance(typed, str) else "")
    if error is None:
        try:
            await api.post(f"/api/studios/{studio_id}/suspend", {"reason": reason}, token=token)
        except ApiProblem as refused:
            if refused.status != 422:
                raise
            error = refused.field_errors.get("reason", refused.detail or refused.title)
    if error is not None:
        found = await _studio(api, token, studio_id)
        context = {"studio": found, "reason": reason, "errors": {"reason": error}}
        return render(request, "admin/studio.html", context, status=422)
    save_session(request, session.with_notice("The studio is suspended; its owner sees why."))
    return RedirectResponse(f"/admin/studios/{studio_id}", status_code=303)


@router.post("/admin/studios/{studio_id}/restore")
async def restore(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: AdminTokenDep, session: SessionDep
) -> Response:
    await api.post(f"/api/studios/{studio_id}/restore", {}, token=token)
    save_session(request, session.with_notice("The studio is restored to its earlier status."))
    return RedirectResponse(f"/admin/studios/{studio_id}", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
async def users(
    request: Request,
    api: ApiDep,
    token: AdminTokenDep,
    q: Words = "",
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
) -> HTMLResponse:
    words, error = search_words(q)
    if error is not None:
        context: dict[str, Any] = {"q": words, "users": [], "roles": ROLES, "errors": {"q": error}}
        return render(request, "admin/users.html", context, status=422)
    params = {"q": words or None, "limit": USERS_LISTED, "cursor": cursor}
    page = await api.get("/api/admin/users", params=params, token=token)
    next_cursor = page.get("next_cursor")
    context = {
        "q": words,
        "users": page["items"],
        "roles": ROLES,
        "errors": {},
        "back": _users_url(words, cursor),
        "next_url": _users_url(words, next_cursor) if next_cursor else None,
    }
    return render(request, "admin/users.html", context)


@router.post("/admin/users/{user_id}/role")
async def change_role(
    request: Request, user_id: uuid.UUID, api: ApiDep, token: AdminTokenDep, session: SessionDep
) -> Response:
    form = await request.form()
    typed, back = form.get("role"), form.get("back")
    role = role_choice(typed if isinstance(typed, str) else "")
    if role is None:
        notice = "Choose a role: booker, owner or admin."
    else:
        try:
            changed = await api.put(f"/api/admin/users/{user_id}/role", {"role": role}, token=token)
            notice = f"{changed['name']} is now {ROLES[role].lower()}."
        except ApiProblem as refused:
            if refused.status != 409:
                raise
            notice = "The last admin stays an admin: make someone else admin first."
    save_session(request, session.with_notice(notice))
    target = back if isinstance(back, str) and back.startswith("/admin/users") else "/admin/users"
    return RedirectResponse(target[:500], status_code=303)


@router.get("/admin/bookings", response_class=HTMLResponse)
async def booking_timeline(
    request: Request,
    api: ApiDep,
    token: AdminTokenDep,
    id: Annotated[str, Query(max_length=1000)] = "",
) -> HTMLResponse:
    context: dict[str, Any] = {"typed": id, "errors": {}, "timeline": None}
    if not id:
        return render(request, "admin/bookings.html", context)
    wanted, error = booking_id(id)
    if wanted is not None:
        try:
            timeline = await api.get(f"/api/admin/bookings/{wanted}/timeline", token=token)
            context["timeline"] = {**timeline, "rows": timeline_rows(timeline["entries"])}
        except ApiProblem as missing:
            if missing.status != 404:
                raise
            error = "No booking has this id."
    if error is not None:
        context["errors"] = {"id": error}
        return render(request, "admin/bookings.html", context, status=422)
    return render(request, "admin/bookings.html", context)


async def _studio(api: ApiDep, token: str, studio_id: uuid.UUID) -> dict[str, Any]:
    try:
        found: dict[str, Any] = await api.get(f"/api/studios/{studio_id}", token=token)
    except ApiProblem as missing:
        if missing.status == 404:
            raise HTTPException(404) from missing
        raise
    return found


def _users_url(q: str, cursor: str | None) -> str:
    query = [(name, value) for name, value in (("q", q), ("cursor", cursor)) if value]
    return "/admin/users" + (f"?{urlencode(query)}" if query else "")
