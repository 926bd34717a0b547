"""Notifications served on fresh databases, on the run's bus namespace, sending to a real
SMTP server on loopback (the mail sink)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import select

from contracts import Envelope, Message
from contracts.booking import BookingConfirmed
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus
from contracts.values import CancellationPolicy, Money, TimeRange
from notifications.app import create_app
from notifications.config import NotificationsSettings
from notifications.db import tables
from notifications.db.unit import SqlNotificationsUnits
from notifications.domain.read_models import Person
from notifications.sending import EmailSending
from notifications.service import read_model
from notifications.service.writing import Writing
from service_runtime.bus import Bus
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import free_port, serving
from tests.fixtures.mail import MailSink


@dataclass
class Notifications:
    """One running replica of the service."""

    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: NotificationsSettings
    writing: Writing
    sending: EmailSending

    async def emails(self, **where: Any) -> list[Any]:
        """Rows of the emails table matching column == value for each keyword."""
        query = select(tables.emails).order_by(tables.emails.c.created_at)
        for column, value in where.items():
            query = query.where(tables.emails.c[column] == value)
        async with self.runtime.database.transaction() as session:
            return list((await session.execute(query)).all())

    async def waiting(self, booking_id: uuid.UUID) -> list[Any]:
        """Events still waiting for the booking to be known."""
        query = select(tables.waiting_events).where(
            tables.waiting_events.c.booking_id == booking_id
        )
        async with self.runtime.database.transaction() as session:
            return list((await session.execute(query)).all())

    async def reminders(self, booking_id: uuid.UUID) -> list[Any]:
        query = select(tables.reminders).where(tables.reminders.c.booking_id == booking_id)
        async with self.runtime.database.transaction() as session:
            return list((await session.execute(query)).all())


Launch = Callable[..., Awaitable[Notifications]]


@pytest.fixture
def notifications_settings(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    mail_sink: MailSink,
) -> Callable[..., NotificationsSettings]:
    """Settings for a fresh database, sending to the mail sink, polling fast."""

    def make(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "database_url": make_database("notifications", migrations_dir_of("notifications")),
            "rabbit_url": rabbit_url,
            "bus_namespace": bus_namespace,
            "smtp_port": mail_sink.port,
            "send_poll_seconds": 0.1,
            "reminder_poll_seconds": 0.1,
            "send_first_retry_seconds": 0.05,
            "retry_delays_seconds": [0.2, 0.5, 1],
        }
        return NotificationsSettings(**(values | overrides))

    return make


@pytest.fixture
async def launch(tracer_provider: TracerProvider) -> AsyncIterator[Launch]:
    """Starts replicas of the service; all stop at the end of the test."""
    async with AsyncExitStack() as stack:

        async def start(settings: NotificationsSettings) -> Notifications:
            app = create_app(settings, tracer_provider=tracer_provider)
            url = await stack.enter_async_context(serving(app, free_port()))
            client = await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=30, verify=client_tls())
            )
            state = app.state
            return Notifications(client, state.runtime, settings, state.writing, state.sending)

        yield start


@pytest.fixture
async def notifications(
    launch: Launch, notifications_settings: Callable[..., NotificationsSettings]
) -> Notifications:
    return await launch(notifications_settings())


@pytest.fixture
async def publisher(rabbit_url: str, bus_namespace: str) -> AsyncIterator[Bus]:
    """Publishes on the run's bus as the other services would."""
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    await bus.start()
    yield bus
    await bus.stop()


async def publish(bus: Bus, envelope: Envelope, message: Message) -> None:
    await bus.publish(message.routing_key, envelope.model_dump(mode="json"))


@dataclass(frozen=True)
class Scene:
    """A studio, its owner and a booker, known to the service."""

    studio_id: uuid.UUID
    room_id: uuid.UUID
    owner: Person
    booker: Person
    timezone: str

    def confirmed(self, starts_at: datetime, hours: int = 2) -> BookingConfirmed:
        return BookingConfirmed(
            booking_id=uuid.uuid4(),
            booker_id=self.booker.id,
            owner_id=self.owner.id,
            studio_id=self.studio_id,
            room_id=self.room_id,
            time_range=TimeRange(starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours)),
            price=Money(amount_minor=9000, currency="EUR"),
            confirmed_at=datetime.now(UTC),
        )


async def seed(replica: Notifications, timezone: str = "Europe/Berlin") -> Scene:
    """What identity and catalog would have announced before any booking."""
    owner_id, booker_id = uuid.uuid4(), uuid.uuid4()
    scene = Scene(
        studio_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        owner=Person(owner_id, f"owner-{owner_id.hex[:8]}@example.com", "Olga Owner"),
        booker=Person(booker_id, f"booker-{booker_id.hex[:8]}@example.com", "Bea Booker"),
        timezone=timezone,
    )
    studio = StudioPublished(
        studio_id=scene.studio_id,
        revision=1,
        slug=f"studio-{scene.studio_id.hex[:8]}",
        owner_id=owner_id,
        name="Kreuzberg Sound Lab",
        timezone=timezone,
        currency="EUR",
        hourly_price_minor=4500,
        minimum_hours=1,
        cancellation_policy=CancellationPolicy.FLEXIBLE,
        rooms=[RoomSnapshot(room_id=scene.room_id, name="Live Room", capacity=4)],
        status=StudioStatus.PUBLISHED,
        changed_at=datetime.now(UTC),
        address="Oranienstraße 1",
        city="Berlin",
        country="DE",
    )
    async with SqlNotificationsUnits(replica.runtime.units).begin() as unit:
        await read_model.save_person(unit, scene.owner)
        await read_model.save_person(unit, scene.booker)
        await read_model.save_studio(unit, studio)
    return scene
