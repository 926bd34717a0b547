"""Errors as pages a person understands: never JSON, never a stack trace."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from web.accounts import SignInRequired
from web.api_client import ApiProblem, ApiUnavailable
from web.rendering import render
from web.security import CsrfRefused, current_session, save_session
from web.sessions import Session

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("That request was not understood", "Please go back and try again."),
    403: ("This is not yours to see", "Your account may not open this page."),
    404: ("We could not find that page", "The link may be old, or the studio no longer listed."),
    405: ("That is not possible here", "Please go back and use the page's buttons and links."),
    409: ("Something changed meanwhile", "Please reload the page and try again."),
    422: ("Some of that was not right", "Please go back and check what you entered."),
    429: ("Too many requests", "Please wait a minute and try again."),
    500: ("Something went wrong on our side", "We have logged it. Please try again shortly."),
    503: (
        "We cannot reach our studios right now",
        "Part of OneTime Studios is not answering. Please try again in a minute.",
    ),
}


def error_page(
    request: Request, status: int, *, detail: str | None = None, request_id: str | None = None
) -> Response:
    title, advice = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    request_id = request_id or request.headers.get("x-request-id") or uuid.uuid4().hex
    context = {
        "title": title,
        "advice": detail or advice,
        "status": status,
        "request_id": request_id,
    }
    if getattr(request.state, "session", None) is None:
        request.state.session = Session()
    return render(request, "error.html", context, status=status)


def install_error_pages(app: FastAPI) -> None:
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return error_page(request, error.status_code)

    async def invalid_request(request: Request, error: Exception) -> Response:
        return error_page(request, 400)

    async def csrf_refused(request: Request, error: Exception) -> Response:
        log.warning("refused an unsafe request without a valid CSRF token (%s)", error)
        detail = "This form has expired or came from another site. Reload the page and try again."
        return error_page(request, 403, detail=detail)

    async def sign_in_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        session = current_session(request)
        save_session(request, session.signed_out(error.message))
        target = "/sign-in?next=" + quote(request.url.path, safe="/")
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def api_unavailable(request: Request, error: Exception) -> Response:
        log.warning("the API did not answer: %s", error)
        return error_page(request, 503)

    async def api_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiProblem)
        if error.status == 401:  # the API no longer takes the token (role changed, deleted)
            return await sign_in_required(request, SignInRequired(
                "Your session has ended. Please sign in again."))  # fmt: skip
        log.warning("the API refused a page's call: %s", error)
        status = error.status if error.status in MESSAGES else 500
        return error_page(request, status)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ApiUnavailable, api_unavailable)
    app.add_exception_handler(ApiProblem, api_problem)


def unexpected_error_page(request: Request, request_id: str) -> Response:
    """The 500 page for an error no handler claimed (service_runtime's UnexpectedErrors
    logs it and never re-raises, which would close the gateway's keep-alive connection)."""
    return error_page(request, 500, request_id=request_id)
