"""The gateway against a Stripe that fails at the network: each way is a passing failure
(`ProviderUnavailable`, retried later), never an error of the HTTP library's own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from payments.config import PaymentsSettings
from payments.provider import ProviderUnavailable
from payments.stripe_gateway import StripeGateway
from tests.fixtures.infra import free_port

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def stripe_answering(answer: Answer) -> AsyncIterator[StripeGateway]:
    """A gateway whose Stripe is a TCP server answering every request with `answer`."""
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    gateway = StripeGateway(PaymentsSettings(stripe_api_base=f"http://127.0.0.1:{port}"))
    try:
        yield gateway
    finally:
        await gateway.close()
        server.close()
        await server.wait_closed()


async def _request_read(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


async def test_stripe_out_of_reach_is_unavailable() -> None:
    gateway = StripeGateway(PaymentsSettings(stripe_api_base=f"http://127.0.0.1:{free_port()}"))
    try:
        with pytest.raises(ProviderUnavailable):
            await gateway.retrieve_intent("pi_123")
    finally:
        await gateway.close()


async def test_an_answer_cut_off_in_its_body_is_unavailable() -> None:
    answered = 0

    async def cut_off(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal answered
        await _request_read(reader)
        answered += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Content-Length: 500\r\n\r\n{"id": "pi_123", "object": "payment_'
        )
        await writer.drain()
        writer.close()

    async with stripe_answering(cut_off) as gateway:
        with pytest.raises(ProviderUnavailable):
            await gateway.retrieve_intent("pi_123")
    assert answered == 3  # the SDK's two retries, as for any failure of the connection


async def test_a_server_error_is_unavailable() -> None:
    async def failing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request_read(reader)
        body = b'{"error": {"type": "api_error", "message": "down for a moment"}}'
        writer.write(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    async with stripe_answering(failing) as gateway:
        with pytest.raises(ProviderUnavailable, match="down for a moment"):
            await gateway.retrieve_intent("pi_123")
