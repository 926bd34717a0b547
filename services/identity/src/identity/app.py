"""Composition root: identity's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from identity.api import auth, users, webhooks
from identity.clerk_api import ClerkUnavailable
from identity.config import IdentitySettings
from identity.db.base import inbox, outbox, user_access
from identity.db.clerk_deliveries import clerk_webhook_deliveries
from identity.domain.account_links import InvalidLinkToken
from identity.domain.refresh_tokens import InvalidRefreshToken
from identity.domain.user_directory import InvalidUserQuery
from identity.domain.users import (
    ClerkLinkRefused,
    EmailTaken,
    InvalidCredentials,
    LastAdmin,
    NoLocalPassword,
    RoleNotAllowed,
    UserNotFound,
    WrongPassword,
)
from identity.service.signing_keys import SigningKeyUnreadable
from service_runtime.service_app import ServiceParts, create_service_app

ERRORS: dict[type[Exception], int] = {
    EmailTaken: 409,
    InvalidCredentials: 401,
    InvalidRefreshToken: 401,
    InvalidLinkToken: 400,
    InvalidUserQuery: 422,
    UserNotFound: 404,
    RoleNotAllowed: 403,
    LastAdmin: 409,
    ClerkLinkRefused: 409,
    WrongPassword: 403,
    NoLocalPassword: 409,
    SigningKeyUnreadable: 503,  # IDENTITY_KEY_ENCRYPTION_KEYS lacks the key that encrypted it
    ClerkUnavailable: 503,  # Clerk retries the webhook
}


def create_app(
    settings: IdentitySettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    parts = ServiceParts(
        title="OneTime identity",
        outbox=outbox,
        inbox=inbox,
        # Svix retries a Clerk webhook for about a day; a delivery id is remembered a week.
        aged_by=(clerk_webhook_deliveries.c.received_at,),
        user_access=user_access,
        routers=[auth.router, users.router, webhooks.router],
        errors=ERRORS,
    )
    return create_service_app(
        settings or IdentitySettings(), parts, tracer_provider=tracer_provider
    )
