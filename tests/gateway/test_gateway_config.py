"""The rendered gateway config under real nginx: routes, raw bodies, ids, limits, problems."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import pytest

from scripts.client import until
from tests.fixtures.infra import free_port
from tests.gateway.conftest import Gateway, GatewayFactory, assert_problem

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

ROUTES = [
    ("POST", "/api/auth/sign-up", "identity"),
    ("POST", "/api/auth/sign-in", "identity"),
    ("POST", "/api/auth/refresh", "identity"),
    ("POST", "/api/auth/sign-out", "identity"),
    ("POST", "/api/auth/password-reset", "identity"),
    ("GET", "/api/auth/jwks.json", "identity"),
    ("GET", "/.well-known/jwks.json", "identity"),
    ("GET", "/api/users/me", "identity"),
    ("GET", "/api/admin/users?q=ada&limit=20&cursor=abc", "identity"),
    ("PUT", "/api/admin/users/u-1/role", "identity"),
    ("POST", "/api/admin/signing-keys/rotate", "identity"),
    ("POST", "/api/webhooks/clerk", "identity"),
    ("GET", "/api/studios?q=drums&near=52.5,13.4", "catalog"),
    ("POST", "/api/studios", "catalog"),
    ("GET", "/api/studios/blue-room", "catalog"),
    ("POST", "/api/studios/s-1/rooms", "catalog"),
    ("GET", "/api/owner/studios", "catalog"),
    ("GET", "/api/owner/studios/s-1", "catalog"),
    ("GET", "/api/owner/studios/s-1/calendar?from=2030-01-01", "availability"),
    ("GET", "/api/availability?studio_id=s-1", "availability"),
    ("POST", "/api/availability/hold", "availability"),
    ("PUT", "/api/availability/studios/s-1/rules", "availability"),
    ("GET", "/api/bookings", "booking"),
    ("POST", "/api/bookings", "booking"),
    ("PATCH", "/api/bookings/b-1", "booking"),
    ("POST", "/api/bookings/b-1/messages", "booking"),
    ("GET", "/api/admin/bookings/b-1/timeline", "booking"),
    ("POST", "/api/payments/owner/onboarding", "payments"),
    ("GET", "/api/payments/owner/payouts", "payments"),
    ("POST", "/api/webhooks/stripe", "payments"),
    ("PUT", "/api/notifications/preferences", "notifications"),
    ("GET", "/", "web"),
    ("GET", "/search?q=drums&amenities=piano", "web"),
    ("GET", "/studios/blue-room", "web"),
    ("POST", "/sign-in", "web"),
    ("GET", "/static/css/site.css", "web"),
]


ROUTES_BY_SERVICE = {
    "identity": "/api/users/me",
    "catalog": "/api/studios",
    "availability": "/api/availability",
    "booking": "/api/bookings",
    "payments": "/api/payments/owner/payouts",
    "notifications": "/api/notifications/preferences",
    "web": "/search",
}


@pytest.mark.parametrize(("method", "target", "service"), ROUTES)
async def test_each_route_reaches_its_service_unchanged(
    gateway: Gateway, method: str, target: str, service: str
) -> None:
    async with gateway.client() as client:
        response = await client.request(method, target, content=b"{}")

    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["service"] == service
    path, _, query = target.partition("?")
    assert (echoed["raw_path"], echoed["query"]) == (path, query)


async def test_encoded_paths_are_not_rewritten(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/studios/caf%C3%A9%2Fbar?next=%2Fx%3Fy")

    assert response.json()["raw_path"] == "/api/studios/caf%C3%A9%2Fbar"
    assert response.json()["query"] == "next=%2Fx%3Fy"


@pytest.mark.parametrize(
    ("path", "service", "signature_header"),
    [
        ("/api/webhooks/stripe", "payments", "stripe-signature"),
        ("/api/webhooks/clerk", "identity", "svix-signature"),
    ],
)
@pytest.mark.parametrize("size", [300, 2 * 1024 * 1024], ids=["small", "2MiB"])
async def test_webhook_bodies_arrive_byte_identical(
    gateway: Gateway, path: str, service: str, signature_header: str, size: int
) -> None:
    prefix = '{"id": "evt_1",\r\n  "name": "Café \\u00e9",  "data": {"x": 1 }}\n'.encode()
    body = prefix + os.urandom(size)
    headers = {
        "content-type": "application/json; charset=utf-8",
        signature_header: "t=1,v1=abc",
    }

    async with gateway.client() as client:
        response = await client.post(path, content=body, headers=headers)

    echoed = response.json()
    assert echoed["service"] == service
    assert echoed["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert base64.b64decode(echoed["body_b64"]) == body
    assert echoed["headers"][signature_header] == "t=1,v1=abc"
    assert echoed["headers"]["content-type"] == "application/json; charset=utf-8"
    assert echoed["headers"]["content-length"] == str(len(body))


async def test_request_id_is_made_when_missing_passed_upstream_and_returned(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        first = await client.get("/api/studios")
        second = await client.get("/api/studios")

    request_id = first.headers["x-request-id"]
    assert len(request_id) == 32
    assert first.json()["headers"]["x-request-id"] == request_id
    assert second.headers["x-request-id"] != request_id


async def test_client_request_id_is_kept_unless_unsafe(gateway: Gateway) -> None:
    async with gateway.client() as client:
        kept = await client.get("/api/studios", headers={"x-request-id": "req-42.a:b_c"})
        replaced = await client.get("/api/studios", headers={"x-request-id": 'bad id"{}'})

    assert kept.headers["x-request-id"] == "req-42.a:b_c"
    assert kept.json()["headers"]["x-request-id"] == "req-42.a:b_c"
    assert replaced.headers["x-request-id"] != 'bad id"{}'
    assert replaced.json()["headers"]["x-request-id"] == replaced.headers["x-request-id"]


async def test_trace_context_passes_through(gateway: Gateway) -> None:
    headers = {"traceparent": TRACEPARENT, "tracestate": "vendor=abc,other=1"}

    async with gateway.client() as client:
        response = await client.post("/api/bookings/b-1/messages", headers=headers)

    echoed = response.json()["headers"]
    assert echoed["traceparent"] == TRACEPARENT
    assert echoed["tracestate"] == "vendor=abc,other=1"


async def test_forwarding_headers_reach_the_service(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/studios", headers={"authorization": "Bearer t"})

    echoed = response.json()["headers"]
    assert echoed["authorization"] == "Bearer t"
    assert echoed["x-forwarded-for"] == "127.0.0.1"
    assert echoed["x-forwarded-proto"] == "http"


async def test_oversized_json_body_is_a_413_problem(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.patch("/api/bookings/b-1", content=b"x" * (2 * 1024 * 1024))

    assert_problem(response, 413)


@pytest.mark.parametrize("path", ["/api", "/api/nope", "/api/studiosx", "/api/webhooks/github"])
async def test_unknown_api_path_is_a_404_problem(gateway: Gateway, path: str) -> None:
    async with gateway.client() as client:
        response = await client.get(path)

    assert_problem(response, 404)


async def test_a_service_own_error_passes_through_untouched(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/studios/missing")

    assert response.status_code == 404
    assert response.json() == {"title": "catalog has no such thing"}


async def test_slow_service_is_a_504_problem(
    start_gateway: GatewayFactory, echo_upstreams: dict[str, str]
) -> None:
    async with (
        start_gateway(echo_upstreams, read_timeout_seconds=1) as gateway,
        gateway.client() as client,
    ):
        response = await client.get("/api/bookings/slow")

    assert_problem(response, 504)


async def test_service_down_is_a_502_problem(start_gateway: GatewayFactory) -> None:
    nobody_listens = {service: f"127.0.0.1:{free_port()}" for service in ROUTES_BY_SERVICE}

    async with start_gateway(nobody_listens) as gateway, gateway.client() as client:
        responses = [await client.get(path) for path in ROUTES_BY_SERVICE.values()]

    for response in responses:
        assert_problem(response, 502)


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/sign-in",
        "/api/auth/sign-up",
        "/api/auth/password-reset",
        "/api/auth/password-reset/confirm",
    ],
)
async def test_sign_in_up_and_password_resets_are_rate_limited_per_client_after_the_burst(
    start_gateway: GatewayFactory, echo_upstreams: dict[str, str], path: str
) -> None:
    async with start_gateway(echo_upstreams) as gateway, gateway.client() as client:
        responses = [await client.post(path, json={}) for _ in range(15)]
        other_route = await client.get("/api/users/me")

    statuses = [response.status_code for response in responses]
    assert statuses[:11] == [200] * 11  # one at the rate plus a burst of ten
    assert set(statuses[11:]) == {429}
    problem = assert_problem(responses[-1], 429)
    assert "rate limit" in problem["detail"].lower()
    assert responses[-1].headers["retry-after"] == "60"
    assert other_route.status_code == 200


async def test_booking_creation_is_rate_limited_but_reading_is_not(
    start_gateway: GatewayFactory, echo_upstreams: dict[str, str]
) -> None:
    async with start_gateway(echo_upstreams) as gateway, gateway.client() as client:
        reads = [await client.get("/api/bookings") for _ in range(30)]
        creates = [await client.post("/api/bookings", json={}) for _ in range(15)]

    assert {response.status_code for response in reads} == {200}
    statuses = [response.status_code for response in creates]
    assert statuses[:11] == [200] * 11
    assert set(statuses[11:]) == {429}
    assert_problem(creates[-1], 429)


async def test_access_log_is_json_lines_with_id_status_upstream_latency_and_trace(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/availability", headers={"traceparent": TRACEPARENT})
    request_id = response.headers["x-request-id"]

    async def logged() -> dict[str, object] | None:
        # nginx writes the line once the response is sent, so it may come after the response.
        *complete, _ = gateway.access_log.read_text().split("\n")
        entries = (json.loads(line) for line in complete)
        return next((entry for entry in entries if entry["request_id"] == request_id), None)

    entry = await until(logged, timeout=5, what="the request's access log line")
    assert entry["status"] == 200
    assert entry["service"] == "availability"
    assert entry["upstream"].startswith("127.0.0.1:")
    assert entry["traceparent"] == TRACEPARENT
    assert isinstance(entry["latency_seconds"], float)
    assert entry["uri"] == "/api/availability"


async def test_merged_openapi_document_is_served_as_json(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["paths"] == {"/api/studios": {}}
