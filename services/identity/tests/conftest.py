"""Identity served over real HTTP, on its own fresh database and the run's bus namespace."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider

from identity.app import create_app
from identity.config import IdentitySettings
from identity.db.unit import SqlIdentityUnits
from identity.repositories import IdentityUnits
from identity.service import users
from service_runtime.cli import migrations_dir_of
from service_runtime.service_app import ServiceRuntime
from service_runtime.tls import client_tls
from tests.fixtures.infra import free_port, serving

CLERK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass
class Identity:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: IdentitySettings

    @property
    def units(self) -> IdentityUnits:
        """The units of work identity's routes give its use cases, for a test calling one."""
        return SqlIdentityUnits(self.runtime.units)


ISSUER = "http://identity.test"


@pytest.fixture
def identity_database(make_database: Callable[[str, Path | None], str]) -> str:
    return make_database("identity", migrations_dir_of("identity"))


StartIdentity = Callable[..., AbstractAsyncContextManager[Identity]]


@pytest.fixture
def start_identity(
    identity_database: str, rabbit_url: str, bus_namespace: str, tracer_provider: TracerProvider
) -> StartIdentity:
    """Starts identity over the test's database with these settings (several may run at once,
    as replicas or one after another)."""

    @asynccontextmanager
    async def start(**settings_overrides: Any) -> AsyncIterator[Identity]:
        port = free_port()
        settings = IdentitySettings(
            **{
                "database_url": identity_database,
                "rabbit_url": rabbit_url,
                "bus_namespace": bus_namespace,
                "auth_issuer": ISSUER,
                "auth_jwks_url": f"http://127.0.0.1:{port}/.well-known/jwks.json",
                "clerk_webhook_secret": CLERK_SECRET,
                "outbox_poll_seconds": 0.5,
                # Real hashing (~0.15 s of CPU each) only where its cost is what is tested.
                "password_hash_profile": "CHEAPEST",
                **settings_overrides,
            }
        )
        app = create_app(settings, tracer_provider=tracer_provider)
        async with (
            serving(app, port) as url,
            httpx.AsyncClient(base_url=url, verify=client_tls()) as client,
        ):
            yield Identity(client, app.state.runtime, settings)

    return start


@pytest.fixture
async def identity(start_identity: StartIdentity) -> AsyncIterator[Identity]:
    async with start_identity() as identity:
        yield identity


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


async def signed_in_admin(identity: Identity, email: str) -> str:
    """An admin made by the operator's command; their access token."""
    await users.create_admin(
        identity.units,
        identity.settings,
        email=email,
        password="admin password",
        name="Root",
    )
    response = await identity.client.post(
        "/api/auth/sign-in", json={"email": email, "password": "admin password"}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
