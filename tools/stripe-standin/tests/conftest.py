"""Real HTTP all the way: the stand-in and a webhook receiver each served by uvicorn in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from fastapi import FastAPI, Request, Response

from stripe_standin import Settings, create_app

WEBHOOK_SECRET = "whsec_test_receiver"


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free local port for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


class WebhookReceiver:
    """A payments-like endpoint: verifies signatures with the SDK and keeps the events in order."""

    def __init__(self) -> None:
        self.events: list[stripe.Event] = []
        self.statuses: list[int] = []
        self.failures_left = 0
        self.url = ""
        self._arrived = threading.Condition()

    def reset(self) -> None:
        self.events.clear()
        self.statuses.clear()
        self.failures_left = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/stripe")
        async def receive(request: Request) -> Response:
            payload = await request.body()
            try:
                event = stripe.Webhook.construct_event(
                    payload, request.headers.get("stripe-signature"), WEBHOOK_SECRET
                )
            except stripe.SignatureVerificationError:
                return self._answer(400)
            if self.failures_left > 0:
                self.failures_left -= 1
                return self._answer(500)
            with self._arrived:
                self.events.append(event)
                self._arrived.notify_all()
            return self._answer(200)

        return app

    def _answer(self, status_code: int) -> Response:
        self.statuses.append(status_code)
        return Response(status_code=status_code)

    def _wait(self, count: int) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.events) >= count, timeout=5)

    @property
    def types(self) -> list[str]:
        return [event.type for event in self.events]

    async def wait_for(self, count: int) -> list[str]:
        """Wait (up to 5 s) until `count` events arrived; their types in arrival order."""
        # The receiver runs on its own thread and loop, hence a thread condition, not asyncio's.
        if not await asyncio.to_thread(self._wait, count):
            raise AssertionError(f"got only {self.types}, expected {count} events")
        return self.types


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[WebhookReceiver]:
    webhook_receiver = WebhookReceiver()
    with serve(webhook_receiver.app()) as url:
        webhook_receiver.url = f"{url}/webhooks/stripe"
        yield webhook_receiver


@pytest.fixture
def receiver(receiver_server: WebhookReceiver) -> WebhookReceiver:
    """The shared receiver, emptied for this test (each test has its own stand-in)."""
    receiver_server.reset()
    return receiver_server


@pytest.fixture
def settings(receiver: WebhookReceiver, request: pytest.FixtureRequest) -> Settings:
    """Quick retries; a test changes any of them with `parametrize("settings", [{...}],
    indirect=True)`."""
    changes = getattr(request, "param", {})
    return Settings(
        webhook_url=receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        webhook_max_attempts=4,
        webhook_timeout_seconds=2,
        **{"webhook_retry_base_seconds": 0.05, **changes},
    )


@pytest.fixture
def standin_url(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
async def client(standin_url: str) -> AsyncIterator[stripe.StripeClient]:
    http_client = stripe.HTTPXClient()
    yield stripe.StripeClient(
        "sk_test_standin",
        base_addresses={"api": standin_url},
        http_client=http_client,
        max_network_retries=0,
    )
    await http_client.close_async()


@pytest.fixture
async def helpers(standin_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP for the `/_standin` helpers, which the SDK does not know."""
    async with httpx.AsyncClient(base_url=standin_url) as http:
        yield http


@pytest.fixture
def authorize(client: stripe.StripeClient) -> Callable[[int], Awaitable[stripe.PaymentIntent]]:
    """Create and confirm a manual-capture PaymentIntent with a good card."""

    async def create_authorized(amount: int) -> stripe.PaymentIntent:
        return await client.v1.payment_intents.create_async(
            params={
                "amount": amount,
                "currency": "usd",
                "capture_method": "manual",
                "payment_method": "pm_card_visa",
                "confirm": True,
                "transfer_group": "tg_booking",
            }
        )

    return create_authorized
