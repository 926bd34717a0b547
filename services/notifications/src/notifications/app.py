"""Composition root: notifications' app from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from notifications import db
from notifications.api import preferences
from notifications.config import NotificationsSettings
from notifications.db import tables
from notifications.db.unit import SqlNotificationsUnits
from notifications.emails import Composer
from notifications.handlers import message_handlers
from notifications.mailer import SmtpMailer
from notifications.sending import EmailSending
from notifications.service import reminders
from notifications.service.writing import Writing
from service_runtime.periodic import Periodic, until_drained
from service_runtime.service_app import ServiceParts, ServiceRuntime, create_service_app


def create_app(
    settings: NotificationsSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    settings = settings or NotificationsSettings()
    writing = Writing(
        Composer(),
        settings.mail_sender,
        settings.reminder_offsets,
        settings.public_web_url.rstrip("/"),
        emails_recorded=lambda: sender.wake(),  # the loop is made below, with the runtime
    )

    mailer = SmtpMailer(settings)
    parts = ServiceParts(
        title="OneTime notifications",
        outbox=db.outbox,
        inbox=db.inbox,
        # A sent email goes with the inbox id of the event that asked for it: each holds a
        # person's name, address and booking, two every booking (kept for ever before). Those
        # never sent (failed, withdrawn, skipped) stay, for an operator to see why. An event
        # still waiting for its booking after the retention never will: that booking never
        # became known here (it did not get as far as being confirmed, awaited or cancelled).
        aged_by=(tables.emails.c.sent_at, tables.waiting_events.c.arrived_at),
        routers=[preferences.router],
        handlers=message_handlers(writing),
        background=lambda _: loops,  # made below, with the runtime
        on_stop=lambda _: mailer.close(),
    )
    app = create_service_app(settings, parts, tracer_provider=tracer_provider)
    runtime: ServiceRuntime = app.state.runtime
    sending = EmailSending(runtime.database, mailer, settings.retry_policy, runtime.registry)
    sender = Periodic(
        "email-sender",
        until_drained(
            lambda: sending.send_due(
                limit=settings.send_batch_size, concurrency=settings.send_concurrency
            ),
            settings.send_batch_size,
        ),
        interval_seconds=settings.send_poll_seconds,
        registry=runtime.registry,
        linger_seconds=settings.send_linger_seconds,
    )
    loops = [
        sender,
        Periodic(
            "reminders",
            until_drained(
                lambda: reminders.send_due_reminders(
                    SqlNotificationsUnits(runtime.units), writing, limit=settings.send_batch_size
                ),
                settings.send_batch_size,
            ),
            interval_seconds=settings.reminder_poll_seconds,
            registry=runtime.registry,
        ),
    ]
    app.state.sending = sending
    app.state.writing = writing
    return app
