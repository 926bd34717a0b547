"""Composition root: the web front end's app from its settings."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.sdk.trace import TracerProvider

from service_runtime.problems import UnexpectedErrors
from service_runtime.service_app import create_http_app
from service_runtime.tls import client_tls
from web.api_client import ApiClient
from web.config import WebSettings
from web.pages import (
    account,
    account_deletion,
    account_links,
    admin,
    booker,
    email_preferences,
    moving,
    my_bookings,
    owners,
    public,
)
from web.pages.errors import install_error_pages, unexpected_error_page
from web.rendering import create_templates
from web.security import SecurityHeaders, SessionCookies, content_security_policy
from web.sessions import SessionCodec

STATIC = Path(__file__).with_name("static")


def create_app(
    settings: WebSettings | None = None,
    *,
    tracer_provider: TracerProvider | None = None,
    http: httpx.AsyncClient | None = None,
) -> FastAPI:
    """`http` replaces the client that calls the API (tests give one over a fake API)."""
    settings = settings or WebSettings()
    client = http or httpx.AsyncClient(verify=client_tls())
    app = create_http_app(
        settings,
        title="OneTime Studios",
        routers=[
            public.router,
            account.router,
            account_links.router,
            email_preferences.router,
            account_deletion.router,
            booker.router,
            my_bookings.router,
            moving.router,
            *owners.ROUTERS,
            admin.router,
        ],
        http=client,
        tracer_provider=tracer_provider,
    )
    app.state.settings = settings
    app.state.api = ApiClient(client, settings.api_base_url, settings.api_timeout_seconds)
    app.state.templates = create_templates()
    app.state.session_codec = SessionCodec(
        settings.session_cipher(), settings.session_max_age_seconds
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)
    app.add_exception_handler(admin.AdminsOnly, admin.admins_only_page)
    owners.install_owner_pages(app)
    # Added innermost first: headers on every answer, the session around the error pages.
    app.add_middleware(UnexpectedErrors, answer=unexpected_error_page)
    app.add_middleware(
        SessionCookies,
        codec=app.state.session_codec,
        max_age=settings.session_max_age_seconds,
        secure=settings.cookie_secure,
    )
    csp = content_security_policy(
        settings.map_tile_url, settings.stripe_js_url, settings.stripe_api_origin
    )
    app.add_middleware(SecurityHeaders, csp=csp)
    return app
