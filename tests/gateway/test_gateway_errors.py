"""Whatever the gateway refuses itself, it answers as a problem (never nginx's HTML page)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import httpx
import pytest

from tests.gateway.conftest import Gateway, assert_problem

SLASHLESS_PREFIXES = [
    ("/api/auth", "identity"),
    ("/api/users", "identity"),
    ("/api/admin/users", "identity"),
    ("/api/admin/signing-keys", "identity"),
    ("/api/admin/bookings", "booking"),
    ("/api/payments", "payments"),
]


@pytest.mark.parametrize(("path", "service"), SLASHLESS_PREFIXES)
async def test_a_prefix_without_its_slash_reaches_its_service_instead_of_a_redirect(
    gateway: Gateway, path: str, service: str
) -> None:
    async with gateway.client() as client:
        response = await client.get(path)

    assert response.status_code == 200, response.text
    assert response.json()["service"] == service
    assert response.json()["raw_path"] == path


async def test_a_20_kib_header_is_a_431_problem(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/studios", headers={"x-filler": "a" * 20 * 1024})

    assert_problem(response, 431)


async def test_a_9_kib_path_is_a_414_problem(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/studios/" + "a" * 9 * 1024)

    assert_problem(response, 414)


async def test_trace_is_a_405_problem_that_says_which_methods_are_allowed(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        response = await client.request("TRACE", "/api/studios")
        not_found = await client.get("/api/nowhere")

    assert_problem(response, 405)
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "POST", "DELETE", "OPTIONS"} <= allowed
    assert "TRACE" not in allowed
    assert_problem(not_found, 404)
    assert "allow" not in not_found.headers  # only a 405 names methods


async def test_a_request_without_host_is_a_400_problem(gateway: Gateway) -> None:
    # httpx always sends Host; nginx refuses an HTTP/1.1 request without one.
    address = urlparse(gateway.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(b"GET /api/studios HTTP/1.1\r\nConnection: close\r\n\r\n")
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = [(name, value) for name, _, value in (line.partition(": ") for line in header_lines)]
    response = httpx.Response(int(status_line.split()[1]), headers=headers, content=body)

    assert_problem(response, 400)
