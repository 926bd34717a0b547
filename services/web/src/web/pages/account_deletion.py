"""Deleting one's account: confirmed by the password, then signed out with a page saying what
was erased and what stays."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.api_client import ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.pages.account import account_page, form_field
from web.rendering import render
from web.security import save_session

router = page_router()


@router.post("/account/delete", response_class=HTMLResponse)
async def delete_account(
    request: Request, api: ApiDep, session: SessionDep, token: AccessTokenDep
) -> Response:
    password = form_field(await request.form(), "password")
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
        return await account_page(request, api, token, {"password": error}, status=422)
    save_session(request, session.signed_out())
    return RedirectResponse("/account-deleted", status_code=303)


@router.get("/account-deleted", response_class=HTMLResponse)
async def account_deleted(request: Request) -> HTMLResponse:
    text = (
        "Your account is deleted and you are signed out. Your name and email are erased; "
        'reviews you wrote stay, by "deleted user"; bookings and payments stay in our '
        "accounts, as the law requires, without your name."
    )
    context = {"title": "Your account is deleted", "text": text}
    return render(request, "account_done.html", context)
