"""Composition root: catalog's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from catalog import db
from catalog.api import reviews, search, studios
from catalog.config import CatalogSettings
from catalog.domain.ratings import InvalidRating
from catalog.domain.reviews import (
    AlreadyAnswered,
    AlreadyReviewed,
    ReviewNotAllowed,
    ReviewNotFound,
)
from catalog.domain.search import InvalidSearch
from catalog.domain.studios import (
    AdminOnly,
    IllegalTransition,
    InvalidStudio,
    NotStudioOwner,
    RoomNotFound,
    StaleVersion,
    StudioIncomplete,
    StudioNotFound,
)
from catalog.handlers import catalog_handlers
from service_runtime.service_app import ServiceParts, create_service_app

ERRORS: dict[type[Exception], int] = {
    StudioNotFound: 404,
    RoomNotFound: 404,
    ReviewNotFound: 404,
    NotStudioOwner: 403,
    AdminOnly: 403,
    ReviewNotAllowed: 403,
    StaleVersion: 409,
    IllegalTransition: 409,
    StudioIncomplete: 409,
    AlreadyReviewed: 409,
    AlreadyAnswered: 409,
    InvalidStudio: 422,
    InvalidRating: 422,
    InvalidSearch: 422,
}


def create_app(
    settings: CatalogSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    parts = ServiceParts(
        title="OneTime catalog",
        outbox=db.outbox,
        inbox=db.inbox,
        routers=[search.router, studios.router, reviews.router],
        handlers=catalog_handlers(),
        errors=ERRORS,
    )
    return create_service_app(settings or CatalogSettings(), parts, tracer_provider=tracer_provider)
