"""RFC 9457 problem details for every error a service answers with."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)

ErrorAnswer = Callable[[Request, str], Response]
"""What an app answers for an unexpected error, given the request and its request id."""

POOL_BUSY_RETRY_AFTER_SECONDS = 2


class ServiceBusy(Exception):
    """Too much work is queued to take this request now and nothing was done: a 503 problem
    with Retry-After, so a client knows to come back rather than guess what happened."""

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; the title defaults to the status phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


class UnexpectedErrors:
    """ASGI middleware: an exception no handler claimed becomes a logged 500 problem.

    It never re-raises. Starlette's own ServerErrorMiddleware answers text/plain and re-raises,
    and uvicorn then closes the keep-alive connection under the gateway, which fails the next
    request nginx sends on it (a 502 for a healthy service).
    """

    def __init__(self, app: ASGIApp, answer: ErrorAnswer | None = None) -> None:
        self.app = app
        self._answer = answer  # the web front end answers a page instead of a problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def watched_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as error:
            span = trace.get_current_span()
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
            log.exception(
                "unexpected error in %s %s (request %s)",
                scope["method"],
                scope["path"],
                request_id,
            )
            if response_started:
                return  # the status line is out: nothing truthful is left to send
            span_context = span.get_span_context()
            trace_id = format(span_context.trace_id, "032x") if span_context.is_valid else None
            if self._answer is not None:
                await self._answer(Request(scope, receive), request_id)(scope, receive, send)
                return
            problem = problem_response(
                500,
                "An unexpected error occurred; it is logged under this request id.",
                request_id=request_id,
                trace_id=trace_id,
            )
            await problem(scope, receive, send)


def install_problem_handlers(app: FastAPI, errors: Mapping[type[Exception], int]) -> None:
    """Answer HTTP errors, validation errors and the service's own domain errors as problems.

    `errors` maps a domain exception class to its HTTP status: the one place a service says so.
    Any other exception is a 500 problem carrying the request id (see `UnexpectedErrors`).
    """
    app.add_middleware(UnexpectedErrors)

    async def http_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        detail = error.detail if isinstance(error.detail, str) else None
        return problem_response(error.status_code, detail, headers=error.headers)

    async def validation_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        fields = [
            {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
            for item in error.errors()
        ]
        names = ", ".join(field["field"] for field in fields)
        return problem_response(422, f"Invalid request: {names}", errors=fields)

    async def busy(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceBusy)
        headers = {"Retry-After": str(error.retry_after_seconds)}
        return problem_response(503, str(error), headers=headers)

    async def pool_timeout(request: Request, error: Exception) -> JSONResponse:
        # Every connection stayed busy for the whole pool timeout: the request got none, so
        # it wrote nothing through it. Overload, not a bug: retryable, and logged as a warning.
        log.warning("no database connection in time for %s %s", request.method, request.url.path)
        return await busy(
            request,
            ServiceBusy(
                "The service is too busy to take this request now; try again shortly.",
                retry_after_seconds=POOL_BUSY_RETRY_AFTER_SECONDS,
            ),
        )

    async def database_unreachable(request: Request, error: Exception) -> JSONResponse:
        # The connection was refused or cut mid-request: an outage, not a bug, so a 503 to
        # retry (logged as a warning) rather than a 500 that reads as "broken for good".
        log.warning("database unreachable for %s %s: %s", request.method, request.url.path, error)
        return await busy(
            request,
            ServiceBusy(
                "The service cannot reach its database just now; try again shortly.",
                retry_after_seconds=POOL_BUSY_RETRY_AFTER_SECONDS,
            ),
        )

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ServiceBusy, busy)
    app.add_exception_handler(PoolTimeout, pool_timeout)
    app.add_exception_handler(OperationalError, database_unreachable)
    for error_class, status in errors.items():

        async def domain_error(_: Request, error: Exception, status: int = status) -> JSONResponse:
            # A domain error that names the input it refuses (`field`) says so as a
            # validation error does: the same `errors` list.
            field = getattr(error, "field", None)
            if isinstance(field, str):
                return problem_response(
                    status, str(error), errors=[{"field": field, "message": str(error)}]
                )
            return problem_response(status, str(error))

        app.add_exception_handler(error_class, domain_error)
