"""An owner's extras (catalog's add-ons): what the studio sells with a booking, added and
removed on their own page. Catalog decides what is allowed; its refusals show beside the field."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiProblem
from web.deps import ApiDep, SessionDep
from web.formatting import InvalidAmount, minor_units
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep, owned_studio
from web.rendering import render
from web.security import save_session

router = page_router()
PRICINGS = [("per_hour", "an hour"), ("per_booking", "a booking"), ("per_item", "each")]
FIELDS = ("name", "pricing", "price", "max_quantity", "required")


@router.get("/owner/studios/{studio_id}/extras", response_class=HTMLResponse)
async def extras_page(
    request: Request, studio_id: uuid.UUID, api: ApiDep, token: OwnerTokenDep
) -> HTMLResponse:
    studio = await owned_studio(request, api, str(studio_id), token)
    return _page(request, studio, {"pricing": "per_booking", "max_quantity": "1"}, {})


@router.post("/owner/studios/{studio_id}/extras")
async def add_extra(
    request: Request, studio_id: uuid.UUID, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    studio = await owned_studio(request, api, str(studio_id), token)
    sent = await request.form()
    values = {name: str(sent.get(name, "")).strip() for name in FIELDS}
    body, errors = _add_on_body(values, studio["currency"])
    if body is not None:
        try:
            await api.post(f"/api/studios/{studio_id}/add-ons", body, token=token)
        except ApiProblem as refused:
            if refused.status != 422:
                raise
            named = {
                ("price" if k == "price_minor" else k): v for k, v in refused.field_errors.items()
            }
            errors = {(k if k in FIELDS else "form"): v for k, v in named.items()}
            errors = errors or {"form": refused.detail or "This extra cannot be added."}
    if errors:
        return _page(request, studio, values, errors, status=422)
    save_session(request, session.with_notice(f"{values['name']} is offered with bookings."))
    return RedirectResponse(f"/owner/studios/{studio_id}/extras", status_code=303)


@router.post("/owner/studios/{studio_id}/extras/{add_on_id}/remove")
async def remove_extra(
    request: Request,
    studio_id: uuid.UUID,
    add_on_id: uuid.UUID,
    api: ApiDep,
    session: SessionDep,
    token: OwnerTokenDep,
) -> Response:
    await owned_studio(request, api, str(studio_id), token)
    try:
        await api.delete(f"/api/studios/{studio_id}/add-ons/{add_on_id}", token=token)
    except ApiProblem as refused:
        if refused.status != 404:  # already gone: what the owner wanted
            raise
    notice = "Extra removed: new bookings cannot choose it; bookings made keep theirs."
    save_session(request, session.with_notice(notice))
    return RedirectResponse(f"/owner/studios/{studio_id}/extras", status_code=303)


def _add_on_body(
    values: dict[str, str], currency: str
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Catalog's add-on from the form, or the fields to fix."""
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Name the extra, such as Engineer or Cleaning."
    if values["pricing"] not in dict(PRICINGS):
        errors["pricing"] = "Choose how the price counts."
    try:
        price = minor_units(values["price"], currency)
    except InvalidAmount as wrong:
        errors["price"] = f"Price: {wrong}."
    quantity = values["max_quantity"] or "1"
    if not quantity.isdigit() or not 1 <= int(quantity) <= 100:
        errors["max_quantity"] = "A whole number from 1 to 100."
    if errors:
        return None, errors
    most = 1 if values["pricing"] == "per_booking" else int(quantity)
    body = {
        "name": values["name"], "pricing": values["pricing"], "price_minor": price,
        "max_quantity": most, "required": values["required"] == "1",
    }  # fmt: skip
    return body, {}


def _page(
    request: Request,
    studio: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    context = {
        "studio": studio,
        "values": values,
        "errors": errors,
        "pricings": PRICINGS,
        "here": "studio",
    }
    return render(request, "owner/extras.html", context, status=status)
