"""Composition root: booking's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from booking.api import bookings, messages, previews
from booking.changes import BookingWatcher
from booking.config import BookingSettings
from booking.db import tables
from booking.db.unit import SqlBookingUnits
from booking.deadlines import DeadlineScheduler
from booking.domain.booking import BookingNotFound, IllegalTransition, NotAllowed
from booking.domain.pricing import InvalidBookingRequest
from booking.domain.studios import OwnStudio, RoomUnknown, StudioNotPublished, StudioUnknown
from booking.handlers import message_handlers
from booking.repositories import ConcurrentUpdate
from booking.service.booking_requests import IdempotencyKeyReused
from booking.service.chat import TooManyMessages
from service_runtime.background import BackgroundTask
from service_runtime.service_app import ServiceParts, ServiceRuntime, create_service_app

ERRORS: dict[type[Exception], int] = {
    InvalidBookingRequest: 422,
    StudioUnknown: 404,
    RoomUnknown: 404,
    StudioNotPublished: 409,
    IdempotencyKeyReused: 422,
    TooManyMessages: 409,
    IllegalTransition: 409,
    ConcurrentUpdate: 409,
    NotAllowed: 403,
    OwnStudio: 403,
    BookingNotFound: 404,
}


def create_app(
    settings: BookingSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    settings = settings or BookingSettings()
    rules = settings.saga_rules()

    def loops(runtime: ServiceRuntime) -> list[BackgroundTask]:
        deadlines = DeadlineScheduler(
            SqlBookingUnits(runtime.units),
            rules,
            poll_seconds=settings.deadline_poll_seconds,
            tracer_provider=runtime.tracer_provider,
            registry=runtime.registry,
        )
        return [deadlines.loop]

    watcher = BookingWatcher()
    parts = ServiceParts(
        title="OneTime booking",
        outbox=tables.outbox,
        inbox=tables.inbox,
        user_access=tables.user_access,
        # previews first: /api/bookings/quote before /api/bookings/{booking_id}
        routers=[previews.router, bookings.router, messages.router],
        handlers=message_handlers(rules, watcher),
        errors=ERRORS,
        background=loops,
    )
    app = create_service_app(settings, parts, tracer_provider=tracer_provider)
    # The process's listening connection (the outbox relay's) carries the bookings' changes too.
    watcher.follow(app.state.runtime.listener)
    app.state.booking_watcher = watcher
    return app
