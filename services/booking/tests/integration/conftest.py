"""Booking over real HTTP, PostgreSQL and RabbitMQ; a probe plays availability and payments.

The probe consumes booking's commands from the bus and answers them with the replies the
real services would publish, as each test tells it to.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider

from booking.app import create_app
from booking.config import BookingSettings
from booking.db.studios import SqlStudios
from booking.db.unit import SqlBookingUnits
from booking.domain.booking import Booking
from booking.service.reads import booking_state
from contracts import Envelope, Message
from contracts.availability import (
    ConfirmSlots,
    HoldSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsUnavailable,
    UnavailableReason,
)
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus, StudioSuspended
from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    PaymentAuthorized,
    PaymentIntentReady,
)
from contracts.registry import open_envelope
from contracts.values import CancellationPolicy, Money
from service_runtime.bus import Bus
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import eventually, free_port, serving
from tests.fixtures.tokens import TestIssuer

COMMAND_KEYS = ["availability.command.*", "payments.command.*"]


@dataclass(eq=False)  # hashable: FastStream caches handlers by identity
class Probe:
    """Availability's and payments' stand-in: records commands, answers as told."""

    bus: Bus
    commands: list[Envelope] = field(default_factory=list)
    hold: str = "held"  # held, unavailable or silent
    hold_minutes: float = 10
    intents: bool = True
    move_holds: dict[uuid.UUID, HoldSlots] = field(default_factory=dict)
    """The holds of moves answered, by reservation: ConfirmSlots of one books it at once,
    replacing the booking's booked reservation, as availability does."""
    booked: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """Each moved booking's booked reservation."""

    def sent(self, booking_id: uuid.UUID, message_class: type[Message]) -> list[Any]:
        return [open_envelope(envelope) for envelope in self.envelopes(booking_id, message_class)]

    def envelopes(self, booking_id: uuid.UUID, message_class: type[Message]) -> list[Envelope]:
        return [
            envelope
            for envelope in self.commands
            if envelope.message_type == message_class.message_type
            and envelope.correlation_id == str(booking_id)
        ]

    async def publish(
        self,
        message: Message,
        *,
        message_id: uuid.UUID | None = None,
        cause: Envelope | None = None,
    ) -> Envelope:
        """Publish a reply; given its cause, in the cause's trace as the real services do."""
        envelope = Envelope.wrap(
            message,
            causation_id=cause.message_id if cause else None,
            traceparent=cause.traceparent if cause else None,
        )
        if message_id is not None:
            envelope = envelope.model_copy(update={"message_id": message_id})
        await self.bus.publish(message.routing_key, envelope.model_dump(mode="json"))
        return envelope

    async def __call__(self, body: dict[str, Any]) -> None:
        envelope = Envelope.model_validate(body)
        self.commands.append(envelope)
        message = open_envelope(envelope)
        if isinstance(message, HoldSlots):
            await self._answer_hold(message, envelope)
        elif isinstance(message, ConfirmSlots) and message.reservation_id in self.move_holds:
            await self._book_move(self.move_holds.pop(message.reservation_id), envelope)
        elif isinstance(message, AuthorizePayment) and self.intents:
            which = "payment" if message.move_id is None else f"payment {message.move_id}"
            payment_id = uuid.uuid5(message.booking_id, which)
            await self.publish(
                PaymentIntentReady(
                    booking_id=message.booking_id,
                    move_id=message.move_id,
                    payment_id=payment_id,
                    client_secret=f"pi_{payment_id.hex}_secret",
                    amount=message.amount,
                    capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
                ),
                cause=envelope,
            )

    async def _answer_hold(self, hold: HoldSlots, cause: Envelope) -> None:
        if self.hold == "held":
            expires_at = datetime.now(UTC) + timedelta(minutes=self.hold_minutes)
            reply = held(hold, expires_at)
            if hold.move_id is not None:
                self.move_holds[reply.reservation_id] = hold
            await self.publish(reply, cause=cause)
        elif self.hold == "unavailable":
            await self.publish(
                SlotsUnavailable(
                    booking_id=hold.booking_id,
                    studio_id=hold.studio_id,
                    room_id=hold.room_id,
                    time_range=hold.time_range,
                    reason=UnavailableReason.ALREADY_RESERVED,
                    move_id=hold.move_id,
                ),
                cause=cause,
            )

    async def _book_move(self, hold: HoldSlots, cause: Envelope) -> None:
        moved = held(hold, datetime.now(UTC)).reservation_id
        first = uuid.uuid5(hold.booking_id, "reservation")
        replaced = self.booked.get(hold.booking_id, first)
        self.booked[hold.booking_id] = moved
        await self.publish(
            SlotsConfirmed(
                booking_id=hold.booking_id,
                reservation_id=moved,
                studio_id=hold.studio_id,
                room_id=hold.room_id,
                time_range=hold.time_range,
                confirmed_at=datetime.now(UTC),
                replaced_reservation_id=replaced,
            ),
            cause=cause,
        )


def held(hold: HoldSlots, expires_at: datetime) -> SlotsHeld:
    which = "reservation" if hold.move_id is None else f"move {hold.move_id}"
    return SlotsHeld(
        booking_id=hold.booking_id,
        reservation_id=uuid.uuid5(hold.booking_id, which),
        studio_id=hold.studio_id,
        room_id=hold.room_id,
        time_range=hold.time_range,
        expires_at=expires_at,
        move_id=hold.move_id,
    )


@pytest.fixture(scope="module")
async def probe(rabbit_url: str, bus_namespace: str) -> AsyncIterator[Probe]:
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    probe = Probe(bus)
    bus.consume("probe", COMMAND_KEYS, probe)
    await bus.start()
    yield probe
    await bus.stop()


@pytest.fixture(autouse=True)
def _probe_defaults(probe: Probe) -> None:
    probe.hold, probe.hold_minutes, probe.intents = "held", 10, True


@dataclass
class Studio:
    studio_id: uuid.UUID
    room_id: uuid.UUID
    owner_id: uuid.UUID


@dataclass
class BookingService:
    """One replica of booking served over HTTP; `restart()` stops and starts it again."""

    settings: BookingSettings
    tracer_provider: TracerProvider
    client: httpx.AsyncClient | None = None
    runtime: ServiceRuntime | None = None
    _stack: contextlib.AsyncExitStack | None = None

    async def start(self) -> BookingService:
        port = free_port()
        app = create_app(self.settings, tracer_provider=self.tracer_provider)
        self.runtime = app.state.runtime
        self._stack = contextlib.AsyncExitStack()
        url = await self._stack.enter_async_context(serving(app, port))
        self.client = await self._stack.enter_async_context(
            httpx.AsyncClient(base_url=url, verify=client_tls())
        )
        return self

    async def stop(self) -> None:
        if self._stack:
            await self._stack.aclose()
            self._stack = None

    async def state(self, booking_id: uuid.UUID) -> Booking:
        assert self.runtime is not None
        return await booking_state(SqlBookingUnits(self.runtime.units), booking_id)

    @property
    def http(self) -> httpx.AsyncClient:
        assert self.client is not None
        return self.client


@pytest.fixture
def booking_settings(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    token_issuer: TestIssuer,
) -> BookingSettings:
    return BookingSettings(
        database_url=make_database("booking", migrations_dir_of("booking")),
        rabbit_url=rabbit_url,
        bus_namespace=bus_namespace,
        outbox_poll_seconds=0.5,
        deadline_poll_seconds=0.2,
        hold_wait_seconds=3,
        hold_grace_seconds=0,
        availability_url=f"http://127.0.0.1:{free_port()}",  # down: quotes cannot say if free
        **token_issuer.auth_settings(),
    )


@pytest.fixture
async def booking(
    booking_settings: BookingSettings, tracer_provider: TracerProvider
) -> AsyncIterator[BookingService]:
    service = await BookingService(booking_settings, tracer_provider).start()
    yield service
    await service.stop()


@pytest.fixture
async def studio(booking: BookingService, probe: Probe) -> Studio:
    """A published studio (flexible policy, 50.00 EUR an hour), known to booking's read model."""
    return await publish_studio(booking, probe)


E = TypeVar("E", bound=StudioPublished | StudioSuspended)


def studio_event(
    event: type[E],
    studio: Studio,
    *,
    revision: int = 1,
    policy: CancellationPolicy = CancellationPolicy.FLEXIBLE,
    **changes: Any,
) -> E:
    """Catalog's event about the studio: the whole studio as catalog holds it."""
    status = StudioStatus.SUSPENDED if event is StudioSuspended else StudioStatus.PUBLISHED
    return event(
        studio_id=studio.studio_id,
        revision=revision,
        slug=f"studio-{studio.studio_id.hex[:8]}",
        owner_id=studio.owner_id,
        name="Blue Room Studios",
        timezone="Europe/Berlin",
        currency="EUR",
        hourly_price_minor=5000,
        minimum_hours=1,
        cancellation_policy=policy,
        rooms=[RoomSnapshot(room_id=studio.room_id, name="Live room", capacity=4)],
        status=status,
        changed_at=datetime.now(UTC),
        **changes,
    )


async def publish_studio(
    booking: BookingService,
    probe: Probe,
    policy: CancellationPolicy = CancellationPolicy.FLEXIBLE,
) -> Studio:
    studio = Studio(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    await probe.publish(studio_event(StudioPublished, studio, policy=policy))
    assert booking.runtime is not None
    units = booking.runtime.units

    async def known() -> bool:
        async with units.begin() as uow:
            return await SqlStudios(uow.session).get(studio.studio_id) is not None

    await eventually(known)
    return studio


def booking_body(studio: Studio, days_ahead: int = 10, hours: int = 2) -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(
        minute=0, second=0, microsecond=0
    )
    return {
        "studio_id": str(studio.studio_id),
        "room_id": str(studio.room_id),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


async def wait_for_status(service: BookingService, booking_id: uuid.UUID, status: str) -> Booking:
    async def reached() -> bool:
        return (await service.state(booking_id)).status.value == status

    await eventually(reached)
    return await service.state(booking_id)


async def sleep_briefly() -> None:
    await asyncio.sleep(0.5)


async def authorize(
    probe: Probe,
    booking_id: uuid.UUID,
    strategy: CaptureStrategy = CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
    message_id: uuid.UUID | None = None,
) -> None:
    await probe.publish(
        PaymentAuthorized(
            booking_id=booking_id,
            payment_id=uuid.uuid5(booking_id, "payment"),
            amount=Money(amount_minor=11000, currency="EUR"),
            capture_strategy=strategy,
            authorized_at=datetime.now(UTC),
        ),
        message_id=message_id,
    )


async def confirm_slots(booking: BookingService, probe: Probe, booking_id: uuid.UUID) -> None:
    async def asked() -> bool:
        return bool(probe.sent(booking_id, ConfirmSlots))

    await eventually(asked)
    [envelope] = probe.envelopes(booking_id, ConfirmSlots)
    confirm = envelope.open(ConfirmSlots)
    state = await booking.state(booking_id)
    await probe.publish(
        SlotsConfirmed(
            booking_id=booking_id,
            reservation_id=confirm.reservation_id,
            studio_id=state.studio_id,
            room_id=state.room_id,
            time_range=state.time_range,
            confirmed_at=datetime.now(UTC),
        ),
        cause=envelope,
    )
    await wait_for_status(booking, booking_id, "confirmed")
