"""The account page's "Emails" section: which emails that can be turned off a person gets."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from web.api_client import ApiClient, ApiUnavailable
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.security import save_session

router = page_router()
PREFERENCES = "/api/notifications/preferences"
CHOICES = {
    "reminders": "Reminders before my booked sessions",
    "messages": "An email when someone writes to me about a booking",
}


async def current_choices(api: ApiClient, token: str) -> dict[str, Any] | None:
    """The person's choices, or None while notifications cannot be reached (the rest of the
    account page still works)."""
    try:
        chosen: dict[str, Any] = await api.get(PREFERENCES, token=token)
    except ApiUnavailable:
        return None
    return chosen


@router.post("/account/email-preferences")
async def save_choices(
    request: Request, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    form = await request.form()
    # An unticked checkbox is not posted at all: absent means off.
    await api.put(PREFERENCES, {name: name in form for name in CHOICES}, token=token)
    save_session(request, session.with_notice("Saved."))
    return RedirectResponse("/account#email-preferences", status_code=303)
