"""Composition root: `create_app(settings)` builds one stand-in Stripe account per app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from stripe_standin import script_routes, standin_routes, v1_routes
from stripe_standin.api import Standin
from stripe_standin.config import Settings
from stripe_standin.errors import StripeError
from stripe_standin.idempotency import IdempotencyStore
from stripe_standin.latency import Latency
from stripe_standin.state import StandinState
from stripe_standin.webhooks import WebhookDispatcher


def create_app(settings: Settings | None = None) -> FastAPI:
    """A fresh stand-in with empty state; webhook delivery runs for the app's lifespan."""
    settings = settings or Settings()
    webhooks = WebhookDispatcher(settings)
    standin = Standin(
        settings=settings,
        state=StandinState(settings.api_version, on_event=webhooks.enqueue),
        webhooks=webhooks,
        idempotency=IdempotencyStore(),
        latency=Latency(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await webhooks.start()
        try:
            yield
        finally:
            await webhooks.stop()

    app = FastAPI(title="Stripe stand-in", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.standin = standin
    app.include_router(v1_routes.router)
    app.include_router(standin_routes.router)
    app.include_router(script_routes.router)
    # The checkout page comes from another origin (the gateway) than the stand-in it calls.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[origin.strip() for origin in settings.cors_allowed_origins.split(",")],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version"],
        expose_headers=["Request-Id"],
        max_age=600,
    )
    app.add_exception_handler(StripeError, _stripe_error)
    app.add_exception_handler(HTTPException, _unrecognized_url)
    return app


async def _stripe_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StripeError)
    return JSONResponse(exc.to_json(), status_code=exc.http_status)


async def _unrecognized_url(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = (
        f"Unrecognized request URL ({request.method}: {request.url.path})."
        if exc.status_code in (404, 405)
        else str(exc.detail)
    )
    body = {"error": {"type": "invalid_request_error", "message": message}}
    return JSONResponse(body, status_code=exc.status_code)
