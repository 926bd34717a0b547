"""Signed webhook delivery in the background, retried with backoff, pausable to lose events."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from functools import cache

import httpx

from stripe_standin.config import Settings
from stripe_standin.objects import Event

log = logging.getLogger(__name__)

# One TLS context for every dispatcher of the process: httpx builds one per client otherwise,
# loading the CA bundle (37 ms of CPU, at every start of the stand-in in the tests).
_client_tls = cache(httpx.create_ssl_context)


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """`Stripe-Signature` as Stripe builds it: `t=<ts>,v1=<hex HMAC-SHA256 of "t.payload">`."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class DeliveryAttempt:
    """One POST of one event to the endpoint, kept for `GET /_standin/webhooks`."""

    event_id: str
    event_type: str
    attempt: int
    status_code: int | None
    error: str | None = None


class WebhookDispatcher:
    """Queues events and POSTs them, `webhook_concurrency` at a time: one at a time, a healthy
    endpoint sees them in order."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.endpoint_url = settings.webhook_url
        self.secret = settings.webhook_secret
        self.paused = False
        self.dropped: list[str] = []
        self.attempts: list[DeliveryAttempt] = []
        self._queue: asyncio.Queue[tuple[float, Event]] = asyncio.Queue()  # (due, event)
        self._workers: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    def enqueue(self, event: Event) -> None:
        """Schedule delivery; never blocks the API call that caused the event."""
        if self.endpoint_url is None:
            return
        event.pending_webhooks = 1
        if self.paused:
            # A paused endpoint stands for a webhook Stripe never got through: the event stays
            # readable through GET /v1/events only.
            self.dropped.append(event.id)
            return
        self._queue.put_nowait((time.monotonic() + self.settings.webhook_delay_seconds, event))

    async def start(self) -> None:
        """Start the delivery workers (from the app's lifespan)."""
        self._client = httpx.AsyncClient(
            timeout=self.settings.webhook_timeout_seconds, verify=_client_tls()
        )
        self._workers = [
            asyncio.create_task(self._run(), name=f"stripe-standin-webhooks-{number}")
            for number in range(self.settings.webhook_concurrency)
        ]

    async def stop(self) -> None:
        """Stop delivering; undelivered events stay listed with `pending_webhooks=1`."""
        for worker in self._workers:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            due, event = await self._queue.get()
            try:
                await asyncio.sleep(max(due - time.monotonic(), 0))
                await self._deliver(event)
            except Exception:
                log.exception("webhook delivery of %s crashed", event.id)
            finally:
                self._queue.task_done()

    async def _deliver(self, event: Event) -> None:
        for attempt in range(1, self.settings.webhook_max_attempts + 1):
            url = self.endpoint_url
            if url is None:
                return
            if await self._post(url, event, attempt):
                event.pending_webhooks = 0
                return
            if attempt < self.settings.webhook_max_attempts:
                await asyncio.sleep(self._backoff(attempt))
        log.warning("gave up delivering %s after %d attempts", event.id, attempt)

    async def _post(self, url: str, event: Event, attempt: int) -> bool:
        assert self._client is not None
        payload = json.dumps(event.to_json(), indent=2).encode()
        # Signed with the wall clock, not the stand-in's movable clock: receivers check the
        # timestamp against their own time.
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signature_header(payload, self.secret, int(time.time())),
        }
        try:
            response = await self._client.post(url, content=payload, headers=headers)
        except httpx.HTTPError as exc:
            self.attempts.append(DeliveryAttempt(event.id, event.type, attempt, None, repr(exc)))
            return False
        self.attempts.append(DeliveryAttempt(event.id, event.type, attempt, response.status_code))
        return response.is_success

    def _backoff(self, attempt: int) -> float:
        base = self.settings.webhook_retry_base_seconds
        return float(min(base * 2 ** (attempt - 1), self.settings.webhook_retry_max_seconds))
