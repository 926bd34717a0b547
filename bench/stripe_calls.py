"""Captures per second at a burst of sessions ending, with Stripe answering a few hundred
milliseconds late: payments making one Stripe call at a time, then its default number at once.

Not a test. Starts the Stripe stand-in and payments as their own processes on a scratch database
and bus namespace. For each level, a fresh payments process authorizes N bookings' payments
(AuthorizePayment on the bus, each intent confirmed as the booker's browser would), then the
stand-in answers every PaymentIntent request LATENCY_MS late, N CapturePayment are published at
once, and the time until every payment is captured is measured. The floor is what one call at a
time allows: sequential requests straight to the late stand-in, measured in the same run; each
level's captures/s is given as a multiple of it. The stand-in answers at once by default, which
is why the booking benchmark cannot show this.

Then reconciliation's look at Stripe's events, once the run's events are at the stand-in, all
delivered by webhook: this process's CPU for a pass as payments makes it (the events of its
types that no webhook delivered, through its gateway), against listing and reading every event
of the pass's window, which is what a pass did before December 2026 (each event was read at
about eleven passes: the window is the interval plus a 600 s overlap). The figures also go to
bench/results/stripe_calls.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/stripe_calls.py [--bookings 48]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import stripe

from bench.measuring import (
    forget_bus,
    process_cpu_seconds,
    publish_all,
    scratch_database,
    sqlalchemy_url,
    wait_for,
    write_results,
)
from contracts.payments import AuthorizePayment, CapturePayment
from contracts.values import Money
from payments.config import PaymentsSettings
from payments.service.stripe_event_handlers import EVENT_HANDLERS
from payments.stripe_gateway import StripeGateway
from payments.stripe_mapping import provider_event
from scripts.system import Processes, SystemLayout, migrate, start_service, start_standin
from service_runtime.bus import Bus
from tests.fixtures.infra import free_port

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
LATENCY_MS = 250
FLOOR_REQUESTS = 8
LEVELS = (1, PaymentsSettings.model_fields["stripe_calls_at_once"].default)


def authorize(booking_id: uuid.UUID) -> AuthorizePayment:
    ends_at = datetime.now(UTC) + timedelta(days=2)
    return AuthorizePayment(
        booking_id=booking_id,
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        studio_id=uuid.uuid4(),
        amount=Money(amount_minor=9_000, currency="USD"),
        platform_fee=Money(amount_minor=1_350, currency="USD"),
        session_starts_at=ends_at - timedelta(hours=2),
        session_ends_at=ends_at,
        description="Bench Sound Lab, 2 hours",
    )


class Payments:
    """The scratch database's payments, read the way an operator would."""

    def __init__(self, url: str) -> None:
        self._connection = psycopg.connect(url, autocommit=True)

    def count(self, bookings: list[uuid.UUID], status: str) -> int:
        row = self._connection.execute(
            "SELECT count(*) FROM payments WHERE booking_id = ANY(%s) AND status = %s",
            (bookings, status),
        ).fetchone()
        return int(row[0]) if row else 0

    def intents(self, bookings: list[uuid.UUID]) -> list[str]:
        rows = self._connection.execute(
            "SELECT intent_ref FROM payments WHERE booking_id = ANY(%s) AND intent_ref IS NOT NULL",
            (bookings,),
        ).fetchall()
        return [row[0] for row in rows]

    def any_intent(self) -> str:
        row = self._connection.execute("SELECT intent_ref FROM payments LIMIT 1").fetchone()
        assert row, "no payment yet"
        return str(row[0])

    def close(self) -> None:
        self._connection.close()


async def set_latency(standin: httpx.AsyncClient, milliseconds: int) -> None:
    data = {"path": "/v1/payment_intents", "milliseconds": str(milliseconds)}
    (await standin.post("/_standin/latency", data=data)).raise_for_status()


async def floor(standin: httpx.AsyncClient, intent: str) -> float:
    """Requests per second to the late stand-in, one after the other: one call at a time."""
    headers = {"Authorization": f"Bearer {PaymentsSettings().stripe_secret_key}"}
    started = time.perf_counter()
    for _ in range(FLOOR_REQUESTS):
        response = await standin.get(f"/v1/payment_intents/{intent}", headers=headers)
        response.raise_for_status()
    return FLOOR_REQUESTS / (time.perf_counter() - started)


async def level(
    at_once: int,
    bookings: int,
    layout: SystemLayout,
    processes: Processes,
    bus: Bus,
    standin: httpx.AsyncClient,
    payments: Payments,
) -> dict[str, Any]:
    """A burst of captures through a payments process making `at_once` Stripe calls at once."""
    layout.extra_env["PAYMENTS_STRIPE_CALLS_AT_ONCE"] = str(at_once)
    start_service(processes, layout, "payments")
    try:
        await asyncio.to_thread(
            processes.wait_ready, "payments", f"{layout.url('payments')}/readyz"
        )
        ids = [uuid.uuid4() for _ in range(bookings)]
        await publish_all(bus, [authorize(booking_id) for booking_id in ids])
        await wait_for(lambda: len(payments.intents(ids)) == bookings, "the intents")
        for intent in payments.intents(ids):
            confirmed = await standin.post(
                f"/_standin/payment_intents/{intent}/confirm",
                data={"payment_method": "pm_card_visa"},
            )
            confirmed.raise_for_status()
        await wait_for(lambda: payments.count(ids, "authorized") == bookings, "authorizations")
        await set_latency(standin, LATENCY_MS)
        pid = processes.running["payments"].pid
        cpu_before, started = process_cpu_seconds(pid), time.perf_counter()
        await publish_all(bus, [CapturePayment(booking_id=booking_id) for booking_id in ids])
        await wait_for(lambda: payments.count(ids, "captured") == bookings, "the captures")
        elapsed, cpu = time.perf_counter() - started, process_cpu_seconds(pid) - cpu_before
        await set_latency(standin, 0)
        return {
            "stripe_calls_at_once": at_once,
            "captures": bookings,
            "captures_per_s": bookings / elapsed,
            "cpu_ms_per_capture": cpu * 1000 / bookings,
        }
    finally:
        processes.stop("payments")


async def reconciliation_look(standin_url: str, passes: int = 5) -> dict[str, Any]:
    """CPU ms per look at the stand-in's events: as a reconciliation pass makes it, and listing
    and reading every event (the pass before December 2026); the median of `passes`."""
    settings = PaymentsSettings(stripe_api_base=standin_url)
    gateway = StripeGateway(settings)
    client = stripe.StripeClient(settings.stripe_secret_key, base_addresses={"api": standin_url})

    async def every_event() -> int:
        page = await client.v1.events.list_async(params={"created": {"gte": 0}, "limit": 100})
        return len([provider_event(e.to_dict()) async for e in page.auto_paging_iter()])

    async def undelivered() -> int:
        return len(await gateway.undelivered_events_since(0, EVENT_HANDLERS.keys()))

    figures: dict[str, Any] = {}
    try:
        for name, look in (("undelivered", undelivered), ("every_event", every_event)):
            cpu_ms, listed = [], 0
            for _ in range(passes):
                started = time.process_time()
                listed = await look()
                cpu_ms.append((time.process_time() - started) * 1000)
            figures[name] = {"events_listed": listed, "cpu_ms": statistics.median(cpu_ms)}
    finally:
        await gateway.close()
    return figures


async def run(bookings: int) -> dict[str, Any]:
    with scratch_database(ADMIN_URL, "bench_stripe_calls") as database_url:
        return await measure(bookings, database_url)


async def measure(bookings: int, database_url: str) -> dict[str, Any]:
    layout = SystemLayout(
        database_urls={"payments": sqlalchemy_url(database_url)},
        ports={"payments": free_port(), "identity": free_port()},
        standin_port=free_port(),
        gateway_port=None,
        bus_namespace=f"bench-{uuid.uuid4().hex[:8]}",
        rabbit_url=RABBIT_URL,
    )
    processes = Processes(Path(tempfile.mkdtemp(prefix="bench-stripe-calls-")))
    bus = Bus(RABBIT_URL, namespace=layout.bus_namespace, max_deliveries=3)
    payments = Payments(database_url)
    try:
        migrate(layout, "payments")
        start_standin(processes, layout)
        await asyncio.to_thread(
            processes.wait_ready, "stripe-standin", f"{layout.standin_url}/_standin/health"
        )
        await bus.start()
        async with httpx.AsyncClient(base_url=layout.standin_url, timeout=30) as standin:
            levels = [
                await level(at_once, bookings, layout, processes, bus, standin, payments)
                for at_once in LEVELS
            ]
            intent = payments.any_intent()
            await set_latency(standin, LATENCY_MS)
            floor_per_s = await floor(standin, intent)
            await set_latency(standin, 0)
        look = await reconciliation_look(layout.standin_url)
        for figures in levels:
            figures["ratio_to_floor"] = figures["captures_per_s"] / floor_per_s
        return {
            "stripe_latency_ms": LATENCY_MS,
            "floor_calls_per_s": floor_per_s,
            "levels": levels,
            "reconciliation_look": look,
        }
    finally:
        await bus.stop()
        processes.stop_all()
        payments.close()
        await forget_bus(RABBIT_URL, layout.bus_namespace, ["payments"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=48)
    figures = asyncio.run(run(parser.parse_args().bookings))
    print(f"stripe calls: a burst of captures, Stripe answering {LATENCY_MS} ms late")
    print(f"  floor          {figures['floor_calls_per_s']:8.1f} calls/s (one at a time, direct)")
    for entry in figures["levels"]:
        print(
            f"  {entry['stripe_calls_at_once']:2d} at once     {entry['captures_per_s']:8.1f} "
            f"captures/s ({entry['ratio_to_floor']:.2f} x the floor), "
            f"{entry['cpu_ms_per_capture']:.1f} ms CPU per capture (payments)"
        )
    look = figures["reconciliation_look"]
    print("reconciliation's look at Stripe's events (CPU ms of this process, median of 5)")
    for name, what in (
        ("undelivered", "the undelivered of payments' types"),
        ("every_event", "every event, read (the pass before)"),
    ):
        print(
            f"  {what:40s} {look[name]['events_listed']:6d} events {look[name]['cpu_ms']:8.1f} ms"
        )
    write_results("stripe_calls", figures)


if __name__ == "__main__":
    main()
