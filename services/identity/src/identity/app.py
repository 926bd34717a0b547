"""Composition root: identity's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from identity import db
from identity.api import auth, users, webhooks
from identity.config import IdentitySettings
from identity.domain.users import EmailTaken, InvalidCredentials, RoleNotAllowed, UserNotFound
from service_runtime.service_app import ServiceParts, create_service_app

ERRORS: dict[type[Exception], int] = {
    EmailTaken: 409,
    InvalidCredentials: 401,
    UserNotFound: 404,
    RoleNotAllowed: 403,
}


def create_app(
    settings: IdentitySettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    parts = ServiceParts(
        title="OneTime identity",
        outbox=db.outbox,
        inbox=db.inbox,
        routers=[auth.router, users.router, webhooks.router],
        errors=ERRORS,
    )
    return create_service_app(
        settings or IdentitySettings(), parts, tracer_provider=tracer_provider
    )
