"""Sign-up, sign-in, sign-out, and the signed-in person's account page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from web import accounts
from web.api_client import ApiClient, ApiProblem
from web.deps import AccessTokenDep, ApiDep, SessionDep
from web.pages import page_router
from web.pages.email_preferences import CHOICES, current_choices
from web.rendering import render
from web.security import save_session
from web.sessions import Session, SessionTooLarge, SignedInUser, Tokens

router = page_router()
MAX_FIELD = 300
ROLES = {"booker": "Book studios", "owner": "List my studios"}


def form_field(form: FormData, name: str, longest: int = MAX_FIELD) -> str:
    """A text field of a posted form, cut to a bound; "" when absent or not text."""
    value = form.get(name)
    return value[:longest] if isinstance(value, str) else ""


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never //elsewhere)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target[:500]
    return "/"


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "sign_in.html", {"values": {}, "errors": {}, "next": safe_next(next)})


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, api: ApiDep, session: SessionDep) -> Response:
    form = await request.form()
    values = {"email": form_field(form, "email")}
    target = safe_next(form_field(form, "next"))
    errors: dict[str, str] = {}
    if not values["email"]:
        errors["email"] = "Enter your email address."
    if not form_field(form, "password"):
        errors["password"] = "Enter your password."
    if not errors:
        try:
            password = form_field(form, "password")
            user, tokens = await accounts.sign_in(api, values["email"], password)
            return _signed_in(request, session, user, tokens, target, f"Welcome back, {user.name}.")
        except ApiProblem as refused:
            errors = _sign_in_errors(refused)
        except SessionTooLarge:
            errors = {"form": "We could not keep you signed in. Please try again later."}
    context = {"values": values, "errors": errors, "next": target}
    return render(request, "sign_in.html", context, status=_status(errors))


@router.get("/sign-up", response_class=HTMLResponse)
async def sign_up_page(request: Request) -> HTMLResponse:
    context = {"values": {"role": "booker"}, "errors": {}, "roles": ROLES}
    return render(request, "sign_up.html", context)


@router.post("/sign-up", response_class=HTMLResponse)
async def sign_up(request: Request, api: ApiDep, session: SessionDep) -> Response:
    form = await request.form()
    values = {name: form_field(form, name) for name in ("name", "email", "role")}
    password = form_field(form, "password")
    errors: dict[str, str] = {}
    if not values["name"].strip():
        errors["name"] = "Enter your name."
    if not values["email"]:
        errors["email"] = "Enter your email address."
    if len(password) < 10:
        errors["password"] = "Choose a password of at least 10 characters."
    if values["role"] not in ROLES:
        errors["role"] = "Choose what you want to do."
    if not errors:
        try:
            user, tokens = await accounts.sign_up(
                api, email=values["email"], password=password, name=values["name"],
                role=values["role"],
            )  # fmt: skip
            return _signed_in(request, session, user, tokens, "/", f"Welcome, {user.name}.")
        except ApiProblem as refused:
            errors = _sign_up_errors(refused)
        except SessionTooLarge:
            errors = {"form": "We could not keep you signed in. Please sign in."}
    context = {"values": values, "errors": errors, "roles": ROLES}
    return render(request, "sign_up.html", context, status=_status(errors))


@router.post("/sign-out")
async def sign_out(request: Request, api: ApiDep, session: SessionDep) -> Response:
    await accounts.sign_out(api, session.tokens)
    save_session(request, session.signed_out("You are signed out."))
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, api: ApiDep, token: AccessTokenDep) -> HTMLResponse:
    return await account_page(request, api, token)


async def account_page(
    request: Request,
    api: ApiClient,
    token: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The account page with its sections; a failed deletion shows it again with its error."""
    me = await api.get("/api/users/me", token=token)
    emails = await current_choices(api, token)
    context = {"me": me, "emails": emails, "choices": CHOICES, "errors": errors or {}}
    return render(request, "account.html", context, status=status)


def _signed_in(
    request: Request,
    session: Session,
    user: SignedInUser,
    tokens: Tokens,
    target: str,
    notice: str,
) -> Response:
    save_session(request, session.signing_in(user, tokens).with_notice(notice))
    return RedirectResponse(target, status_code=303)


def _sign_in_errors(refused: ApiProblem) -> dict[str, str]:
    if refused.status == 401:
        return {"password": "That email and password do not match an account."}
    if refused.status == 422 and refused.field_errors:
        return {name: readable(message) for name, message in refused.field_errors.items()}
    if refused.status == 429:
        return {"form": "Too many attempts. Please wait a minute and try again."}
    raise refused


def _sign_up_errors(refused: ApiProblem) -> dict[str, str]:
    if refused.status == 409:
        return {"email": "An account with this email exists already. Sign in instead."}
    if refused.status == 422 and refused.field_errors:
        return {name: readable(message) for name, message in refused.field_errors.items()}
    if refused.status == 429:
        return {"form": "Too many attempts. Please wait a minute and try again."}
    raise refused


def readable(message: str) -> str:
    """The API's validation message as a sentence ("value is not a valid email address...")."""
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _status(errors: dict[str, str]) -> int:
    return 429 if "Too many" in errors.get("form", "") else 422 if errors else 200
