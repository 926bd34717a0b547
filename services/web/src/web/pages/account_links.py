"""Links identity emails (verify an email, reset a password), and deleting one's account.

A link opens a page with a button that posts its token: mail scanners that follow links do not
use it up. The reset request answers alike whether an account has the email or not."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.pages.account import form_text
from web.rendering import render
from web.security import save_session

router = page_router()
BAD_LINK = "This link is not valid any more: it was used already or it expired."
MIN_PASSWORD = 10


def _done(request: Request, title: str, text: str, status: int = 200) -> HTMLResponse:
    return render(request, "account_done.html", {"title": title, "text": text}, status=status)


@router.get("/verify-email", response_class=HTMLResponse)
async def verify_email_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "verify_email.html", {"token": token[:300]})


@router.post("/verify-email", response_class=HTMLResponse)
async def verify_email(request: Request, api: ApiDep) -> HTMLResponse:
    token = form_text(await request.form(), "token")
    try:
        await api.post("/api/auth/email-verification/confirm", {"token": token})
    except ApiProblem as refused:
        if refused.status not in (400, 422):
            raise
        text = f"{BAD_LINK} Sign in and ask for a new one on your account page."
        return _done(request, "We could not verify your email", text, status=400)
    return _done(request, "Your email is verified", "Thank you: your email address is verified.")


@router.post("/account/verification")
async def resend_verification(
    request: Request, api: ApiDep, session: SessionDep, token: AccessTokenDep
) -> Response:
    await api.post("/api/auth/email-verification", {}, token=token)
    notice = "We sent you a new verification link. It may take a minute to arrive."
    save_session(request, session.with_notice(notice))
    return RedirectResponse("/account", status_code=303)


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_page(request: Request) -> HTMLResponse:
    return render(request, "forgot_password.html", {"values": {}, "errors": {}})


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password(request: Request, api: ApiDep) -> HTMLResponse:
    email = form_text(await request.form(), "email")
    errors: dict[str, str] = {}
    try:
        if email:
            await api.post("/api/auth/password-reset", {"email": email})
        else:
            errors["email"] = "Enter your email address."
    except ApiProblem as refused:
        if refused.status == 429:
            errors["form"] = "Too many attempts. Please wait a minute and try again."
        elif refused.status == 422:
            errors["email"] = "Enter an email address like name@example.com."
        else:
            raise
    if errors:
        status = 429 if "form" in errors else 422
        context = {"values": {"email": email}, "errors": errors}
        return render(request, "forgot_password.html", context, status=status)
    text = (
        f"If an account has the email {email}, we sent it a link to choose a new password. "
        "The link works for an hour."
    )
    return _done(request, "Check your email", text)


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "reset_password.html", {"token": token[:300], "errors": {}})


@router.post("/reset-password", response_class=HTMLResponse)
async def reset_password(request: Request, api: ApiDep, session: SessionDep) -> Response:
    form = await request.form()
    token, password = form_text(form, "token"), form_text(form, "password")
    if len(password) < MIN_PASSWORD:
        errors = {"password": f"Choose a password of at least {MIN_PASSWORD} characters."}
        context = {"token": token, "errors": errors}
        return render(request, "reset_password.html", context, status=422)
    try:
        body = {"token": token, "password": password}
        await api.post("/api/auth/password-reset/confirm", body)
    except ApiProblem as refused:
        if refused.status not in (400, 422):
            raise
        text = f"{BAD_LINK} Ask for a new one from the sign-in page."
        return _done(request, "We could not change your password", text, status=400)
    notice = "Your password is changed. Sign in with your new password."
    save_session(request, session.signed_out(notice))
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/account/delete", response_class=HTMLResponse)
async def delete_account(
    request: Request, api: ApiDep, session: SessionDep, token: AccessTokenDep
) -> Response:
    password = form_text(await request.form(), "password")
    error = "Enter your password to delete your account." if not password else None
    if error is None:
        try:
            await api.delete("/api/users/me", token=token, body={"password": password})
        except ApiProblem as refused:
            if refused.status == 403:
                error = "That password is not right."
            elif refused.status == 409:
                error = refused.detail or "This account cannot be deleted here."
            else:
                raise
    if error is not None:
        me = await api.get("/api/users/me", token=token)
        context = {"me": me, "errors": {"password": error}}
        return render(request, "account.html", context, status=422)
    save_session(request, session.signed_out())
    return RedirectResponse("/account-deleted", status_code=303)


@router.get("/account-deleted", response_class=HTMLResponse)
async def account_deleted(request: Request) -> HTMLResponse:
    text = (
        "Your account is deleted and you are signed out. Your name and email are erased; "
        'reviews you wrote stay, by "deleted user"; bookings and payments stay in our '
        "accounts, as the law requires, without your name."
    )
    return _done(request, "Your account is deleted", text)
