"""The pages behind the links identity emails: confirm an email address, reset a password.

A link only opens a page; the token is spent by the form that page posts, so a mail scanner
that follows links does not use it up.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.pages.account import form_field, readable
from web.rendering import render
from web.security import save_session

router = page_router()
MAX_TOKEN = 200
LINK_SPENT = "This link has expired or was used already."
TOO_MANY = "Too many attempts. Please wait a minute and try again."


@router.get("/verify-email", response_class=HTMLResponse)
async def verify_email_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "verify_email.html", {"token": token[:MAX_TOKEN], "outcome": None})


@router.post("/verify-email", response_class=HTMLResponse)
async def verify_email(request: Request, api: ApiDep) -> HTMLResponse:
    token = form_field(await request.form(), "token", MAX_TOKEN)
    try:
        await api.post("/api/auth/email-verification/confirm", {"token": token})
    except ApiProblem as refused:
        if refused.status not in (400, 422):
            raise
        return render(request, "verify_email.html", {"token": "", "outcome": "spent"}, status=400)
    return render(request, "verify_email.html", {"token": "", "outcome": "verified"})


@router.post("/account/email-verification")
async def send_verification_again(
    request: Request, api: ApiDep, token: AccessTokenDep, session: SessionDep
) -> Response:
    await api.post("/api/auth/email-verification", {}, token=token)
    email = session.user.email if session.user else "your address"
    notice = f"We sent a new link to {email}. It may take a minute to arrive."
    save_session(request, session.with_notice(notice))
    return RedirectResponse("/account", status_code=303)


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_page(request: Request) -> HTMLResponse:
    return render(request, "forgot_password.html", {"values": {}, "errors": {}, "sent": False})


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password(request: Request, api: ApiDep) -> HTMLResponse:
    email = form_field(await request.form(), "email")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address."
    else:
        try:
            await api.post("/api/auth/password-reset", {"email": email})
        except ApiProblem as refused:
            errors = _link_errors(refused)
    context = {"values": {"email": email}, "errors": errors, "sent": not errors}
    return render(request, "forgot_password.html", context, status=_status(errors))


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_page(request: Request, token: str = "") -> HTMLResponse:
    context = {"token": token[:MAX_TOKEN], "errors": {}}
    return render(request, "reset_password.html", context)


@router.post("/reset-password", response_class=HTMLResponse)
async def reset_password(request: Request, api: ApiDep, session: SessionDep) -> Response:
    form = await request.form()
    token, password = form_field(form, "token", MAX_TOKEN), form_field(form, "password")
    errors: dict[str, str] = {}
    if len(password) < 10:
        errors["password"] = "Choose a password of at least 10 characters."
    else:
        try:
            body = {"token": token, "password": password}
            await api.post("/api/auth/password-reset/confirm", body)
        except ApiProblem as refused:
            errors = _link_errors(refused)
    if errors:
        context = {"token": token, "errors": errors}
        return render(request, "reset_password.html", context, status=_status(errors))
    # Identity ended every sign-in of the account; this browser's session goes with them.
    notice = "Your password is changed. Sign in with the new one."
    save_session(request, session.signed_out(notice))
    return RedirectResponse("/sign-in", status_code=303)


def _link_errors(refused: ApiProblem) -> dict[str, str]:
    if refused.status == 400:
        return {"form": LINK_SPENT}
    if refused.status == 422 and refused.field_errors:
        return {name: readable(message) for name, message in refused.field_errors.items()}
    if refused.status == 429:
        return {"form": TOO_MANY}
    raise refused


def _status(errors: dict[str, str]) -> int:
    form = errors.get("form", "")
    return 429 if form == TOO_MANY else 400 if form == LINK_SPENT else 422 if errors else 200
