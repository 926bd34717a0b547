"""Composition root: catalog's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.sdk.trace import TracerProvider

from catalog.api import reviews, search, studios
from catalog.config import CatalogSettings
from catalog.db.base import inbox, outbox, user_access
from catalog.domain.bookings import BookingsWouldBreak
from catalog.domain.ratings import InvalidRating
from catalog.domain.reviews import (
    AlreadyAnswered,
    AlreadyReviewed,
    ReviewNotAllowed,
    ReviewNotFound,
)
from catalog.domain.search import InvalidSearch
from catalog.domain.studios import (
    AddOnNotFound,
    AdminOnly,
    IllegalTransition,
    InvalidStudio,
    NotStudioOwner,
    RoomNotFound,
    StaleVersion,
    StudioIncomplete,
    StudioNotFound,
)
from catalog.handlers import message_handlers
from service_runtime.problems import problem_response
from service_runtime.service_app import ServiceParts, create_service_app

ERRORS: dict[type[Exception], int] = {
    StudioNotFound: 404,
    RoomNotFound: 404,
    AddOnNotFound: 404,
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
        outbox=outbox,
        inbox=inbox,
        user_access=user_access,
        routers=[search.router, studios.router, reviews.router],
        handlers=message_handlers(),
        errors=ERRORS,
    )
    app = create_service_app(settings or CatalogSettings(), parts, tracer_provider=tracer_provider)
    app.add_exception_handler(BookingsWouldBreak, _bookings_would_break)
    return app


async def _bookings_would_break(_: Request, error: Exception) -> JSONResponse:
    """409 listing the bookings the change would break, so the owner knows whom to talk to."""
    assert isinstance(error, BookingsWouldBreak)
    bookings = [
        {
            "booking_id": str(booking.booking_id),
            "room_id": str(booking.room_id),
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
        }
        for booking in error.bookings
    ]
    return problem_response(409, str(error), bookings=bookings)
