"""Composition root: availability's app from its settings."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.sdk.trace import TracerProvider

from availability import db
from availability.api import availability, calendar_feeds, owner
from availability.api import external_calendars as external_calendars_api
from availability.config import AvailabilitySettings
from availability.domain.calendar_feeds import FeedNotFound, TooManyFeeds
from availability.domain.external_calendars import (
    ExternalCalendarNotFound,
    TooManyExternalCalendars,
)
from availability.domain.holds import HoldLimitReached
from availability.domain.reservations import ReservationNotFound, SlotUnavailable
from availability.domain.schedule import InvalidSchedule, TooManyDateChanges
from availability.domain.studios import InvalidPolicy, NotStudioOwner, StudioNotFound
from availability.handlers import message_handlers
from availability.service import external_calendars, free_time
from availability.sweeper import HoldSweeper
from service_runtime.background import BackgroundTask
from service_runtime.periodic import Periodic
from service_runtime.problems import problem_response
from service_runtime.service_app import ServiceParts, ServiceRuntime, create_service_app

ERRORS: dict[type[Exception], int] = {
    StudioNotFound: 404,
    ReservationNotFound: 404,
    NotStudioOwner: 403,
    InvalidSchedule: 422,
    InvalidPolicy: 422,
    TooManyDateChanges: 409,
    FeedNotFound: 404,
    TooManyFeeds: 409,
    ExternalCalendarNotFound: 404,
    TooManyExternalCalendars: 409,
}


async def _slot_unavailable(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SlotUnavailable)
    return problem_response(409, error.detail, title="Slot unavailable", reason=error.reason.value)


async def _hold_limit_reached(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HoldLimitReached)
    return problem_response(
        429,
        error.detail,
        title="Too many holds",
        headers={"Retry-After": str(error.retry_after_seconds)},
    )


def create_app(
    settings: AvailabilitySettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    settings = settings or AvailabilitySettings()
    sweeper = HoldSweeper(
        interval_seconds=settings.sweeper_interval_seconds,
        batch_size=settings.sweeper_batch_size,
    )

    def loops(runtime: ServiceRuntime) -> list[BackgroundTask]:
        units = db.SqlAvailabilityUnits(runtime.units)
        return [
            sweeper.loop(units, runtime.registry),
            Periodic(
                "external-calendars",
                lambda: external_calendars.refresh_due(units, settings),
                interval_seconds=settings.external_calendars_interval_seconds,
                registry=runtime.registry,
            ),
            Periodic(
                "free-time",
                lambda: free_time.publish_outdated(units, limit=settings.free_time_batch_size),
                interval_seconds=settings.free_time_interval_seconds,
                registry=runtime.registry,
                quiet=True,  # one line per changed studio would drown the log
            ),
        ]

    parts = ServiceParts(
        title="OneTime availability",
        outbox=db.outbox,
        inbox=db.inbox,
        user_access=db.user_access,
        routers=[
            availability.router,
            owner.router,
            calendar_feeds.router,
            external_calendars_api.router,
        ],
        handlers=message_handlers(settings),
        errors=ERRORS,
        background=loops,
    )
    app = create_service_app(settings, parts, tracer_provider=tracer_provider)
    app.add_exception_handler(SlotUnavailable, _slot_unavailable)
    app.add_exception_handler(HoldLimitReached, _hold_limit_reached)
    app.state.sweeper = sweeper
    return app
