"""Bookers for the chaos test: each books, pays at the Stripe stand-in, declines, cancels or
walks away as its seeded plan says, the way a person with a flaky connection would (a 5xx or no
answer is retried with the same Idempotency-Key). Every HTTP call any of them makes is recorded
with its status and when it ran."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from time import monotonic
from typing import Any

import httpx

from scripts.client import Account, Studio
from tests.system.chaos import Progress
from tests.system.world import World

SERVICE_BY_PATH = (
    ("/api/auth", "identity"),
    ("/api/users", "identity"),
    ("/api/studios", "catalog"),
    ("/api/availability", "availability"),
    ("/api/bookings", "booking"),
    ("/api/payments", "payments"),
    ("/api/webhooks/stripe", "payments"),
)
STANDIN = "stripe-standin"
WAIT_SECONDS = 30
"""How long a booker watches for an answer before moving on (the settling judges the rest)."""
RETRY_SECONDS = 20
TRANSIENT = ("requested", "pending_payment", "confirming")
"""Booking states that must move on by themselves (each has a deadline)."""


@dataclass(frozen=True)
class Call:
    """One HTTP call a client made: `status` None when no answer came (reset, refused, timeout)."""

    service: str
    method: str
    path: str
    status: int | None
    started: float
    ended: float


def service_of(url: httpx.URL, gateway_port: int | None) -> str:
    if url.port != gateway_port:
        return STANDIN
    return next((s for prefix, s in SERVICE_BY_PATH if url.path.startswith(prefix)), "gateway")


class RecordingTransport(httpx.AsyncBaseTransport):
    """Sends as usual and appends a `Call` for every request, answered or not."""

    def __init__(self, calls: list[Call], gateway_port: int | None) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._calls = calls
        self._gateway_port = gateway_port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = monotonic()
        status: int | None = None
        try:
            response = await self._inner.handle_async_request(request)
            status = response.status_code
            return response
        finally:
            self._calls.append(
                Call(
                    service_of(request.url, self._gateway_port),
                    request.method,
                    request.url.path,
                    status,
                    started,
                    monotonic(),
                )
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


class Behaviour(StrEnum):
    PAY = "pay"
    PAY_THEN_CANCEL = "pay_then_cancel"
    """Cancelled once confirmed: a refund (or a partial capture) by the studio's policy."""
    CANCEL_WHILE_PAYING = "cancel_while_paying"
    """Pays and cancels at once: the void races the authorization."""
    DECLINE_THEN_PAY = "decline_then_pay"
    DECLINE = "decline"
    """A declined card and no other: the hold lapses."""
    ABANDON = "abandon"
    """Never pays: the hold lapses."""
    CANCEL_UNPAID = "cancel_unpaid"


@dataclass(frozen=True)
class Attempt:
    studio: Studio
    room: int
    starts_at: datetime
    hours: int
    behaviour: Behaviour


def plan_attempts(
    rng: random.Random, studios: list[Studio], starts: list[datetime], count: int
) -> list[Attempt]:
    """`count` attempts over few rooms and start times, so bookers contend for them."""
    behaviours = list(Behaviour)
    attempts = []
    for _ in range(count):
        studio = rng.choice(studios)
        attempts.append(
            Attempt(
                studio=studio,
                room=rng.randrange(len(studio.rooms)),
                starts_at=rng.choice(starts),
                hours=rng.choice((1, 1, 2, 3)),
                behaviour=rng.choice(behaviours),
            )
        )
    return attempts


@dataclass
class Outcome:
    """What the booker saw an attempt come to."""

    attempt: Attempt
    booking_id: str | None = None
    seen: str = "unanswered"
    """refused (409), the booking's status when the booker last looked, or unanswered."""


@dataclass
class Booker:
    world: World
    account: Account
    plan: list[Attempt]
    outcomes: list[Outcome] = field(default_factory=list)

    async def run(self, progress: Progress) -> None:
        for attempt in self.plan:
            outcome = Outcome(attempt)
            self.outcomes.append(outcome)
            await self._attempt(attempt, outcome)
            await progress.one_more()

    async def _attempt(self, attempt: Attempt, outcome: Outcome) -> None:
        answer = await self._request(attempt)
        if answer is None:
            return
        if answer.status_code == 409:
            outcome.booking_id, outcome.seen = answer.json().get("booking_id"), "refused"
            return
        outcome.booking_id = answer.json()["id"]
        booking = await self._payable(outcome.booking_id)
        if booking is None:
            outcome.seen = "no answer to the hold"
            return
        if booking["status"] == "pending_payment":
            await self._follow(attempt.behaviour, booking)
            booking = await self._get(booking["id"]) or booking
        outcome.seen = booking["status"]

    async def _follow(self, behaviour: Behaviour, booking: dict[str, Any]) -> None:
        """Do what the plan says with a booking waiting for payment."""
        if behaviour is Behaviour.ABANDON:
            return
        if behaviour is Behaviour.CANCEL_UNPAID:
            await self._cancel(booking["id"])
        elif behaviour is Behaviour.CANCEL_WHILE_PAYING:
            await asyncio.gather(self._pay(booking), self._cancel(booking["id"]))
        elif behaviour in (Behaviour.DECLINE, Behaviour.DECLINE_THEN_PAY):
            await self._pay(booking, card="pm_card_chargeDeclined")
            if behaviour is Behaviour.DECLINE_THEN_PAY:
                await self._watch(booking["id"], lambda b: b["payment_error"] is not None)
                await self._pay(booking)
                await self._watch(booking["id"], lambda b: b["status"] not in TRANSIENT)
        else:
            await self._pay(booking)
            paid = await self._watch(booking["id"], lambda b: b["status"] not in TRANSIENT)
            if paid and paid["status"] == "confirmed" and behaviour is Behaviour.PAY_THEN_CANCEL:
                await self._cancel(booking["id"])

    async def _request(self, attempt: Attempt) -> httpx.Response | None:
        """POST the booking, retried with the same key until an answer that is not a 5xx."""
        body = {
            "studio_id": str(attempt.studio.id),
            "room_id": str(attempt.studio.rooms[attempt.room]),
            "starts_at": attempt.starts_at.isoformat(),
            "ends_at": (attempt.starts_at + timedelta(hours=attempt.hours)).isoformat(),
        }
        headers = {**self.account.headers, "Idempotency-Key": uuid.uuid4().hex}
        answer = await self._patiently(
            lambda: self.world.http.post(
                f"{self.world.gateway}/api/bookings", json=body, headers=headers
            )
        )
        assert answer is None or answer.status_code in (201, 202, 409), answer.text
        return answer

    async def _patiently(
        self, call: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response | None:
        """The first answer that is not a 5xx, trying again each second for RETRY_SECONDS as a
        person would; None when none came."""
        give_up = monotonic() + RETRY_SECONDS
        while True:
            answer = await self._send(call)
            if answer is not None and answer.status_code < 500:
                return answer
            if monotonic() > give_up:
                return None
            await asyncio.sleep(1)

    async def _send(self, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response | None:
        try:
            return await call()
        except httpx.TransportError:
            return None

    async def _get(self, booking_id: str) -> dict[str, Any] | None:
        answer = await self._send(
            lambda: self.world.http.get(
                f"{self.world.gateway}/api/bookings/{booking_id}", headers=self.account.headers
            )
        )
        if answer is None or answer.status_code != 200:
            return None
        body: dict[str, Any] = answer.json()
        return body

    async def _watch(
        self, booking_id: str, done: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        """The booking once `done` says so, or None after WAIT_SECONDS."""
        until = monotonic() + WAIT_SECONDS
        while monotonic() < until:
            booking = await self._get(booking_id)
            if booking is not None and done(booking):
                return booking
            await asyncio.sleep(0.3)
        return None

    async def _payable(self, booking_id: str) -> dict[str, Any] | None:
        """The booking once the saga answered: a client secret to pay with, or an end."""
        return await self._watch(
            booking_id,
            lambda b: (
                b["status"] not in ("requested", "pending_payment")
                or b["client_secret"] is not None
            ),
        )

    async def _pay(self, booking: dict[str, Any], card: str = "pm_card_visa") -> None:
        await self._patiently(lambda: self.world.pay(booking, card))

    async def _cancel(self, booking_id: str) -> None:
        await self._patiently(lambda: self.world.act(self.account, booking_id, "cancel"))
