"""Availability served over real HTTP on fresh databases, on the run's bus namespace."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select, update

from availability import db
from availability.app import create_app
from availability.config import AvailabilitySettings
from availability.db import tables
from availability.service import schedules
from availability.sweeper import HoldSweeper
from contracts import Envelope, Message
from contracts.availability import HoldSlots
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus
from contracts.values import CancellationPolicy, TimeRange
from service_runtime.bus import Bus
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import delete_queues, eventually, free_port, serving
from tests.fixtures.tokens import TestIssuer

NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class Availability:
    """One running replica of the service."""

    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: AvailabilitySettings
    sweeper: HoldSweeper

    @property
    def units(self) -> db.SqlAvailabilityUnits:
        """The replica's units of work, as its use cases see them."""
        return db.SqlAvailabilityUnits(self.runtime.units)

    async def sweep(self) -> int:
        """Run the sweeper once, now, instead of waiting for its interval."""
        return await self.sweeper.sweep(self.units)

    async def scalar(self, query: Any) -> Any:
        async with self.runtime.database.transaction() as session:
            return (await session.execute(query)).scalar_one()

    async def lapse(self, reservation_id: uuid.UUID | str) -> None:
        """Make a hold's expiry pass without waiting for it."""
        async with self.runtime.database.transaction() as session:
            await session.execute(
                update(tables.reservations)
                .where(tables.reservations.c.id == uuid.UUID(str(reservation_id)))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )

    async def status_of(self, reservation_id: uuid.UUID | str) -> str:
        status: str = await self.scalar(
            select(tables.reservations.c.status).where(
                tables.reservations.c.id == uuid.UUID(str(reservation_id))
            )
        )
        return status

    async def live_reservations(self) -> int:
        reservations = tables.reservations
        count: int = await self.scalar(
            select(func.count()).where(reservations.c.status.in_(["held", "booked"]))
        )
        return count

    async def recorded(self, message_type: str) -> list[dict[str, Any]]:
        """Payloads of the messages of one type recorded in the outbox."""
        async with self.runtime.database.transaction() as session:
            rows = await session.execute(
                select(db.outbox.c.envelope)
                .where(db.outbox.c.message_type == message_type)
                .order_by(db.outbox.c.id)
            )
            return [row.envelope["payload"] for row in rows]


Launch = Callable[..., Awaitable[Availability]]


@pytest.fixture
def availability_settings(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    token_issuer: TestIssuer,
) -> Callable[..., AvailabilitySettings]:
    """Settings for a fresh database; replicas share it by sharing the settings."""

    def make(**overrides: Any) -> AvailabilitySettings:
        values: dict[str, Any] = {
            "database_url": make_database("availability", migrations_dir_of("availability")),
            "rabbit_url": rabbit_url,
            "bus_namespace": bus_namespace,
            "outbox_poll_seconds": 0.5,
            # Tests that need the sweeper say so: the others must see lapsed holds unswept.
            "sweeper_interval_seconds": 3600,
            **token_issuer.auth_settings(),
        }
        return AvailabilitySettings(**(values | overrides))

    return make


@pytest.fixture
async def launch(tracer_provider: TracerProvider) -> AsyncIterator[Launch]:
    """Starts replicas of the service; all stop at the end of the test."""
    async with AsyncExitStack() as stack:

        async def start(settings: AvailabilitySettings) -> Availability:
            app = create_app(settings, tracer_provider=tracer_provider)
            url = await stack.enter_async_context(serving(app, free_port()))
            client = await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=30, verify=client_tls())
            )
            return Availability(client, app.state.runtime, settings, app.state.sweeper)

        yield start


@pytest.fixture
async def availability(
    launch: Launch, availability_settings: Callable[..., AvailabilitySettings]
) -> Availability:
    return await launch(availability_settings())


@dataclass
class Probe:
    """Listens on the bus for availability's events, as the booking saga would."""

    bus: Bus
    received: list[Envelope] = field(default_factory=list)

    def payloads(self, message_type: str, booking_ids: set[uuid.UUID]) -> list[dict[str, Any]]:
        return [
            envelope.payload
            for envelope in self.received
            if envelope.message_type == message_type
            and uuid.UUID(envelope.payload["booking_id"]) in booking_ids
        ]

    async def send(self, command: Message) -> None:
        envelope = Envelope.wrap(command)
        await self.bus.publish(command.routing_key, envelope.model_dump(mode="json"))


@pytest.fixture
async def probe(rabbit_url: str, bus_namespace: str) -> AsyncIterator[Probe]:
    name = f"availability-probe-{uuid.uuid4().hex[:8]}"
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    probe = Probe(bus)

    async def collect(body: dict[str, Any]) -> None:
        probe.received.append(Envelope.model_validate(body))

    bus.consume(
        name, ["availability.slots.*", "availability.hold.*", "availability.move_hold.*"], collect
    )
    await bus.start()
    yield probe
    await bus.stop()
    topology = bus.topology
    await delete_queues(rabbit_url, topology.queues_of(name))


@dataclass(frozen=True)
class SeededStudio:
    id: uuid.UUID
    owner_id: uuid.UUID
    room_ids: list[uuid.UUID]
    zone: ZoneInfo = NEW_YORK

    @property
    def room_id(self) -> uuid.UUID:
        return self.room_ids[0]


def studio_event(
    event_class: type[Any] = StudioPublished,
    *,
    studio_id: uuid.UUID,
    owner_id: uuid.UUID,
    room_ids: list[uuid.UUID],
    revision: int = 1,
    status: StudioStatus = StudioStatus.PUBLISHED,
    timezone: str = "America/New_York",
    **extra: Any,
) -> Any:
    return event_class(
        studio_id=studio_id,
        revision=revision,
        slug=f"studio-{studio_id.hex[:8]}",
        owner_id=owner_id,
        name="Test Studio",
        timezone=timezone,
        currency="USD",
        hourly_price_minor=5000,
        minimum_hours=1,
        cancellation_policy=CancellationPolicy.FLEXIBLE,
        rooms=[
            RoomSnapshot(room_id=room_id, name=f"Room {i}", capacity=4)
            for i, room_id in enumerate(room_ids)
        ],
        status=status,
        changed_at=datetime.now(UTC),
        **extra,
    )


async def seed_studio(
    replica: Availability,
    issuer: TestIssuer,
    *,
    rooms: int = 2,
    daily_hours: tuple[str, str] | None = ("09:00", "17:00"),
) -> SeededStudio:
    """A published New York studio open `daily_hours` every day, as catalog would announce it.

    ("00:00", "00:00") opens it around the clock; None leaves it without rules.
    """
    seeded = SeededStudio(uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(rooms)])
    event = studio_event(studio_id=seeded.id, owner_id=seeded.owner_id, room_ids=seeded.room_ids)
    async with replica.runtime.units.begin() as uow:
        await schedules.apply_studio_event(db.SqlAvailabilityUnit(uow), event)
    if daily_hours is not None:
        opens, closes = daily_hours
        rules = [{"weekday": day, "opens": opens, "closes": closes} for day in range(7)]
        response = await replica.client.put(
            f"/api/availability/studios/{seeded.id}/rules",
            json={"rules": rules},
            headers=issuer.headers("owner", seeded.owner_id),
        )
        assert response.status_code == 200, response.text
    return seeded


def days_ahead(days: int) -> date:
    """A local New York date comfortably inside the default notice and advance window."""
    return (datetime.now(NEW_YORK) + timedelta(days=days)).date()


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    """A local wall time as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def hold_body(studio: SeededStudio, start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "studio_id": str(studio.id),
        "room_id": str(studio.room_id),
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        **extra,
    }


async def hold_over_bus(
    probe: Probe, studio: SeededStudio, time_range: TimeRange
) -> tuple[uuid.UUID, uuid.UUID]:
    """Send HoldSlots and wait for SlotsHeld; returns the booking and reservation ids."""
    command = HoldSlots(
        booking_id=uuid.uuid4(), studio_id=studio.id, room_id=studio.room_id, time_range=time_range
    )
    await probe.send(command)

    async def held() -> bool:
        return bool(probe.payloads("availability.slots_held", {command.booking_id}))

    await eventually(held)
    payload = probe.payloads("availability.slots_held", {command.booking_id})[0]
    return command.booking_id, uuid.UUID(payload["reservation_id"])
