"""Payments served over real HTTP on its own database, talking to a fresh Stripe stand-in.

Tests drive it as booking does, by publishing commands on the bus, and watch the events it
publishes with a probe consumer.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from contracts import Envelope, Message
from contracts.payments import (
    AuthorizePayment,
    PaymentAuthorized,
    PaymentIntentReady,
)
from contracts.values import Money
from payments import db
from payments.app import create_app
from payments.config import PaymentsSettings
from payments.service.context import Context
from service_runtime.bus import Bus
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import delete_queues, eventually, free_port, serving
from tests.fixtures.stripe import StripeStandin, signed_webhook, stripe_standin
from tests.fixtures.tokens import TestIssuer

__all__ = ["stripe_standin"]

M = TypeVar("M", bound=Message)
EVENT_KEYS = [
    "payments.payment.#",
    "payments.payout.#",
    "payments.dispute.#",
    "payments.owner_account.#",
]


@dataclass
class Probe:
    """Sends commands as booking would and keeps every event payments publishes."""

    bus: Bus
    envelopes: list[Envelope] = field(default_factory=list)

    async def receive(self, body: dict[str, Any]) -> None:
        self.envelopes.append(Envelope.model_validate(body))

    async def send(self, message: Message) -> Envelope:
        envelope = Envelope.wrap(message, correlation_id=message.correlation_key())
        await self.bus.publish(message.routing_key, envelope.model_dump(mode="json"))
        return envelope

    async def resend(self, envelope: Envelope, message: Message) -> None:
        """The same envelope again, as after a redelivery."""
        await self.bus.publish(message.routing_key, envelope.model_dump(mode="json"))

    def of(self, kind: type[M], booking_id: uuid.UUID | None = None) -> list[M]:
        found = [
            envelope.open(kind)
            for envelope in self.envelopes
            if envelope.message_type == kind.message_type
        ]
        if booking_id is None:
            return found
        return [m for m in found if getattr(m, "booking_id", None) == booking_id]

    async def wait_for(
        self,
        kind: type[M],
        booking_id: uuid.UUID | None = None,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[M]:
        async def arrived() -> bool:
            return len(self.of(kind, booking_id)) >= count

        try:
            await eventually(arrived, timeout=timeout)
        except AssertionError:
            seen = [envelope.message_type for envelope in self.envelopes]
            raise AssertionError(f"no {count} x {kind.__name__}; saw {seen}") from None
        return self.of(kind, booking_id)


@dataclass
class Payments:
    url: str
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: PaymentsSettings
    ctx: Context

    async def call_row(self, idempotency_key: str) -> Any:
        async with self.runtime.database.transaction() as session:
            query = select(db.stripe_calls).where(
                db.stripe_calls.c.idempotency_key == idempotency_key
            )
            return (await session.execute(query)).first()

    async def call_taken(self, idempotency_key: str) -> None:
        """Wait until a replica has taken this Stripe call (it is on its way to Stripe)."""

        async def taken() -> bool:
            row = await self.call_row(idempotency_key)
            return row is not None and row.attempts >= 1

        await eventually(taken)

    async def payment_row(self, booking_id: uuid.UUID) -> Any:
        async with self.runtime.database.transaction() as session:
            query = select(db.payments).where(db.payments.c.booking_id == booking_id)
            return (await session.execute(query)).first()

    async def rows(self, table: Any, *where: Any) -> list[Any]:
        async with self.runtime.database.transaction() as session:
            return list((await session.execute(select(table).where(*where))).all())


PaymentsFactory = Callable[..., contextlib.AbstractAsyncContextManager[Payments]]


@pytest.fixture
def payments_database(make_database: Callable[[str, Path | None], str]) -> str:
    return make_database("payments", migrations_dir_of("payments"))


@pytest.fixture
def start_payments(
    payments_database: str,
    rabbit_url: str,
    bus_namespace: str,
    stripe_standin: StripeStandin,
    token_issuer: TestIssuer,
) -> PaymentsFactory:
    """Starts a payments replica (settings overridable); Stripe's webhooks go to the latest."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Payments]:
        values: dict[str, Any] = {
            "database_url": payments_database,
            "rabbit_url": rabbit_url,
            "bus_namespace": bus_namespace,
            "stripe_api_base": stripe_standin.url,
            "stripe_webhook_secret": stripe_standin.webhook_secret,
            "outbox_poll_seconds": 0.5,
            "step_poll_seconds": 0.2,
            "reconcile_interval_seconds": 0.5,
            "webhook_grace_seconds": 1.0,
            "payout_interval_seconds": 0.3,
            "dispute_window_hours": 0,
            **token_issuer.auth_settings(),
            **overrides,
        }
        settings = PaymentsSettings(**values)
        port = free_port()
        app = create_app(settings)
        async with (
            serving(app, port) as url,
            httpx.AsyncClient(base_url=url, verify=client_tls()) as client,
        ):
            await stripe_standin.deliver_webhooks_to(
                f"{url}/api/webhooks/stripe", stripe_standin.webhook_secret
            )
            yield Payments(url, client, app.state.runtime, settings, app.state.payments)
            await stripe_standin.deliver_webhooks_to(None)

    return start


@pytest.fixture
async def payments(start_payments: PaymentsFactory) -> AsyncIterator[Payments]:
    async with start_payments() as service:
        yield service


@pytest.fixture
async def probe(rabbit_url: str, bus_namespace: str) -> AsyncIterator[Probe]:
    name = f"probe-{uuid.uuid4().hex[:8]}"
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    listener = Probe(bus)
    bus.consume(name, EVENT_KEYS, listener.receive)
    await bus.start()
    yield listener
    await bus.stop()
    await delete_queues(rabbit_url, bus.topology.queues_of(name))


def authorize_command(
    booking_id: uuid.UUID | None = None,
    *,
    amount: int = 10_000,
    session_ends_in: timedelta = timedelta(days=1),
    owner_id: uuid.UUID | None = None,
) -> AuthorizePayment:
    ends_at = datetime.now(UTC) + session_ends_in
    return AuthorizePayment(
        booking_id=booking_id or uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=owner_id or uuid.uuid4(),
        studio_id=uuid.uuid4(),
        amount=Money(amount_minor=amount, currency="USD"),
        platform_fee=Money(amount_minor=amount * 15 // 100, currency="USD"),
        session_starts_at=ends_at - timedelta(hours=2),
        session_ends_at=ends_at,
        description="Studio A, 2 hours",
    )


async def answer_late(standin: StripeStandin, path_prefix: str, seconds: float) -> None:
    """The stand-in does what is asked at once but answers `seconds` late (0: on time)."""
    response = await standin.http.post(
        "/_standin/latency", data={"path": path_prefix, "milliseconds": str(int(seconds * 1000))}
    )
    response.raise_for_status()


def trace_of(probe: Probe, kind: type[Message]) -> str | None:
    """The trace id the one message of that kind the probe got was sent in."""
    [envelope] = [e for e in probe.envelopes if e.message_type == kind.message_type]
    return envelope.traceparent.split("-")[1] if envelope.traceparent else None


def intent_id(ready: PaymentIntentReady) -> str:
    return ready.client_secret.split("_secret_")[0]


async def request_payment(probe: Probe, command: AuthorizePayment) -> PaymentIntentReady:
    await probe.send(command)
    [ready] = await probe.wait_for(PaymentIntentReady, command.booking_id)
    return ready


async def authorized_payment(
    probe: Probe, standin: StripeStandin, command: AuthorizePayment
) -> tuple[str, PaymentAuthorized]:
    """A payment the booker's card went through for; its PaymentIntent id."""
    ready = await request_payment(probe, command)
    await standin.confirm(intent_id(ready), "pm_card_visa")
    [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)
    return intent_id(ready), authorized


async def deliver_webhook(payments: Payments, event: dict[str, Any], secret: str) -> httpx.Response:
    """Stripe's webhook of `event`, signed with `secret`, as Stripe delivers it."""
    body, headers = signed_webhook(event, secret)
    return await payments.client.post("/api/webhooks/stripe", content=body, headers=headers)


async def authorized_undelivered(
    probe: Probe, stripe_standin: StripeStandin
) -> tuple[AuthorizePayment, dict[str, Any]]:
    """A payment requested and its card authorized at Stripe, whose webhook is left for the
    test to deliver: the command, and Stripe's `payment_intent.amount_capturable_updated`."""
    command = authorize_command()
    intent = intent_id(await request_payment(probe, command))
    await stripe_standin.pause_webhooks()
    await stripe_standin.confirm(intent, "pm_card_visa")
    [capturable] = await stripe_standin.events(type="payment_intent.amount_capturable_updated")
    return command, capturable
