"""Identity served over real HTTP, on its own fresh database and the run's bus namespace."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider

from identity.app import create_app
from identity.config import IdentitySettings
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from tests.fixtures.infra import free_port, serving

CLERK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass
class Identity:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: IdentitySettings


@pytest.fixture
async def identity(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    bus_namespace: str,
    tracer_provider: TracerProvider,
) -> AsyncIterator[Identity]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = IdentitySettings(
        database_url=make_database("identity", migrations_dir_of("identity")),
        rabbit_url=rabbit_url,
        bus_namespace=bus_namespace,
        auth_issuer=base,
        auth_jwks_url=f"{base}/.well-known/jwks.json",
        clerk_webhook_secret=CLERK_SECRET,
        outbox_poll_seconds=0.5,
    )
    app = create_app(settings, tracer_provider=tracer_provider)
    async with serving(app, port) as url, httpx.AsyncClient(base_url=url) as client:
        yield Identity(client, app.state.runtime, settings)


async def sign_up(
    client: httpx.AsyncClient, email: str, role: str = "booker", password: str = "correct horse 1"
) -> dict[str, object]:
    response = await client.post(
        "/api/auth/sign-up",
        json={"email": email, "password": password, "name": "Ada Lovelace", "role": role},
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
