"""An owner's payouts: onboarding to Stripe Connect (the stand-in locally), and the history."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiClient
from web.deps import ApiDep, SessionDep
from web.pages import page_router
from web.pages.owner_access import OwnerTokenDep
from web.rendering import render
from web.security import save_session

router = page_router()
HISTORY = 100
STATUS_WORDS = {
    "scheduled": "Waiting",
    "transferring": "On its way",
    "paid": "Paid",
    "reversed": "Taken back (disputed)",
    "cancelled": "Cancelled",
}
# Stripe sends the owner back to these (payments' ONBOARDING_RETURN_URL and REFRESH_URL).
RETURNS = {
    "done": "Thank you. Stripe has your details; payouts start once it has checked them.",
    "retry": "That onboarding link had expired. Please start again.",
}


@router.get("/owner/payouts", response_class=HTMLResponse)
async def payouts(
    request: Request, api: ApiDep, token: OwnerTokenDep, onboarding: str | None = None
) -> HTMLResponse:
    return await _page(request, api, token, returned=RETURNS.get(onboarding or ""))


@router.post("/owner/payouts/onboarding")
async def start_onboarding(
    request: Request, api: ApiDep, session: SessionDep, token: OwnerTokenDep
) -> Response:
    started = await api.post("/api/payments/owner/onboarding", {}, token=token)
    if started["payouts_enabled"]:
        save_session(request, session.with_notice("Your payouts are set up already."))
        return RedirectResponse("/owner/payouts", status_code=303)
    # A link to follow, not a redirect: the CSP's form-action 'self' stops a form's redirect
    # to another site.
    return await _page(request, api, token, onboarding_url=started["onboarding_url"])


async def _page(
    request: Request,
    api: ApiClient,
    token: str,
    *,
    returned: str | None = None,
    onboarding_url: str | None = None,
) -> HTMLResponse:
    studios = await api.get("/api/owner/studios", token=token)
    timezone = studios[0]["timezone"] if studios else "UTC"
    lines = await api.get("/api/payments/owner/payouts", params={"limit": HISTORY}, token=token)
    context = {
        "payouts": lines,
        "timezone": timezone,
        "status_words": STATUS_WORDS,
        "returned": returned,
        "onboarding_url": onboarding_url,
    }
    return render(request, "owner/payouts.html", context)
