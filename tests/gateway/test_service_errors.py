"""A service's unexpected error reaches the client as its problem, and costs nothing after it."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from service_runtime.problems import install_problem_handlers
from tests.fixtures.infra import free_port, serving
from tests.gateway.conftest import Gateway, GatewayFactory

# Concurrent clients keep nginx's upstream connections busy, so a connection the service
# dropped after its 500 is reused at once: without the fix, some of these see a 502.
CLIENTS = 8
ROUNDS = 25


def failing_booking_app() -> FastAPI:
    """A booking stand-in on the runtime's problem handling, with one route that has a bug."""
    app = FastAPI(openapi_url=None)
    install_problem_handlers(app, {})

    @app.post("/api/bookings/{booking_id}/messages", status_code=201)
    async def post_message(booking_id: str) -> dict[str, str]:
        if booking_id == "bug":
            raise RuntimeError("a bug in the handler")
        return {"booking_id": booking_id}

    return app


@pytest.fixture
async def gateway_to_failing_booking(
    start_gateway: GatewayFactory, echo_upstreams: dict[str, str]
) -> AsyncIterator[Gateway]:
    port = free_port()
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(serving(failing_booking_app(), port))
        upstreams = echo_upstreams | {"booking": f"127.0.0.1:{port}"}
        yield await stack.enter_async_context(start_gateway(upstreams))


async def test_unexpected_error_is_a_500_problem_and_the_next_post_succeeds(
    gateway_to_failing_booking: Gateway,
) -> None:
    outcomes: Counter[tuple[int, int]] = Counter()

    async def one_client() -> httpx.Response:
        async with gateway_to_failing_booking.client() as client:
            for _ in range(ROUNDS):
                failed = await client.post("/api/bookings/bug/messages", json={})
                valid = await client.post("/api/bookings/b-1/messages", json={})
                outcomes[(failed.status_code, valid.status_code)] += 1
        return failed

    failures = await asyncio.gather(*(one_client() for _ in range(CLIENTS)))

    assert outcomes == {(500, 201): CLIENTS * ROUNDS}
    failed = failures[0]
    assert failed.headers["content-type"] == "application/problem+json"
    problem = failed.json()
    assert problem["status"] == 500
    assert problem["request_id"] == failed.headers["x-request-id"]
    assert "bug" not in problem["detail"]  # the error text stays in the log
