"""Catalog served over real HTTP, on its own fresh database and the run's bus namespace."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select

from catalog.app import create_app
from catalog.config import CatalogSettings
from catalog.db.base import inbox
from contracts import Envelope, Message
from service_runtime.bus import Bus
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import eventually, free_port, serving
from tests.fixtures.tokens import TestIssuer


@dataclass
class Catalog:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: CatalogSettings


@contextlib.asynccontextmanager
async def running_catalog(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    token_issuer: TestIssuer,
    tracer_provider: TracerProvider,
) -> AsyncIterator[Catalog]:
    settings = CatalogSettings(
        database_url=make_database("catalog", migrations_dir_of("catalog")),
        rabbit_url=rabbit_url,
        bus_namespace=bus_namespace,
        outbox_poll_seconds=0.5,
        **token_issuer.auth_settings(),
    )
    app = create_app(settings, tracer_provider=tracer_provider)
    async with (
        serving(app, free_port()) as url,
        httpx.AsyncClient(base_url=url, verify=client_tls()) as client,
    ):
        yield Catalog(client, app.state.runtime, settings)


@pytest.fixture
async def catalog(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    token_issuer: TestIssuer,
    tracer_provider: TracerProvider,
) -> AsyncIterator[Catalog]:
    async with running_catalog(
        make_database, rabbit_url, bus_namespace, token_issuer, tracer_provider
    ) as running:
        yield running


@pytest.fixture
async def booking_service(rabbit_url: str, bus_namespace: str) -> AsyncIterator[Bus]:
    """Stands in for booking: publishes its events on the run's bus."""
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    await bus.start()
    yield bus
    await bus.stop()


async def deliver(bus: Bus, catalog: Catalog, message: Message, *, times: int = 1) -> None:
    """Publish a message (`times` times, as redelivery does); wait until catalog handled it."""
    envelope = Envelope.wrap(message)
    for _ in range(times):
        await bus.publish(message.routing_key, envelope.model_dump(mode="json"))

    async def handled() -> bool:
        async with catalog.runtime.database.transaction() as session:
            count = await session.scalar(
                select(func.count()).where(inbox.c.message_id == envelope.message_id)
            )
        return count == 1

    await eventually(handled)


def studio_body(**overrides: Any) -> dict[str, Any]:
    """A complete studio, ready to publish."""
    body: dict[str, Any] = {
        "name": "Echo Room",
        "description": "A live room with a grand piano and a vocal booth.",
        "address": "Torstrasse 1",
        "city": "Berlin",
        "country": "DE",
        "latitude": 52.53,
        "longitude": 13.40,
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "hourly_price_minor": 4500,
        "minimum_hours": 2,
        "capacity": 8,
        "amenities": ["wifi", "piano"],
        "photos": [{"url": "https://example.com/1.jpg", "caption": "The live room"}],
        "cancellation_policy": "moderate",
        "rooms": [{"name": "Live Room", "capacity": 8}],
    }
    body.update(overrides)
    return body


async def create_studio(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    response = await client.post("/api/studios", json=studio_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    studio: dict[str, Any] = response.json()
    return studio


async def published_studio(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    studio = await create_studio(client, headers, **overrides)
    response = await client.post(f"/api/studios/{studio['id']}/publish", headers=headers)
    assert response.status_code == 200, response.text
    published: dict[str, Any] = response.json()
    return published
