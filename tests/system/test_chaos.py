"""Contended bookers while the saga's services are killed, crash-looped and cut off from their
databases; once the system has settled, every invariant holds and no client saw a 5xx from a
healthy service.

A system of its own (fresh databases, its own bus namespace), so what it breaks cannot leak
into the other system tests. `make test` runs a small seeded scenario; `make chaos` a longer
one (CHAOS_SEED, CHAOS_BOOKERS, CHAOS_ATTEMPTS_PER_BOOKER, CHAOS_KILLS, CHAOS_CRASH_LOOPS,
CHAOS_OUTAGES, CHAOS_SETTLE_SECONDS).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

import httpx
import pytest

from scripts.client import Studio, soon, whole_hour
from scripts.system import SERVICE_NAMES
from tests.fixtures.infra import RUN_ID
from tests.fixtures.otlp import SpanCollector
from tests.system.bookers import TRANSIENT, Booker, Call, RecordingTransport, plan_attempts
from tests.system.chaos import Chaos, Progress, Scenario, plan_faults
from tests.system.conftest import FAST, RunningSystem, running_system
from tests.system.dossier import dossier
from tests.system.invariants import (
    Intent,
    Snapshot,
    Violation,
    consistency,
    dead_letter_violations,
    intent_of,
    money_violations,
    queued_messages,
    read_intents,
    reservation_violations,
    rows,
    stuck,
)
from tests.system.world import World

# Short enough that every wait of the saga ends within the settling bound.
CHAOS_ENV = {
    **FAST,
    "BOOKING_REPLY_TIMEOUT_SECONDS": "20",
    "PAYMENTS_STEP_LEASE_SECONDS": "5",
}


@pytest.fixture(scope="module")
async def chaos_system(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    span_collector: SpanCollector,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningSystem]:
    async with running_system(
        make_database,
        rabbit_url,
        span_collector,
        tmp_path_factory.mktemp("chaos"),
        f"test-{RUN_ID}-chaos",
        CHAOS_ENV,
    ) as running:
        yield running


@dataclass
class ChaosRun:
    scenario: Scenario
    chaos: Chaos
    bookers: list[Booker] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    began: float = field(default_factory=monotonic)
    traffic_seconds: float = 0
    settle_seconds: float | None = None

    def server_errors(self) -> list[Call]:
        return [c for c in self.calls if c.status is not None and c.status >= 500]

    def from_healthy_services(self) -> list[Violation]:
        return [
            Violation(
                "no 5xx from a healthy service",
                f"{c.service}: {c.method} {c.path} -> {c.status}"
                f" at {c.started - self.began:+.1f} s",
            )
            for c in self.server_errors()
            if self.chaos.log.healthy_throughout(c.service, c.started, c.ended)
        ]


async def test_invariants_hold_after_kills_and_cut_connections(
    chaos_system: RunningSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    system = chaos_system
    run = ChaosRun(Scenario.from_env(), Chaos(system))
    transport = RecordingTransport(run.calls, system.layout.gateway_port)
    async with httpx.AsyncClient(transport=transport, timeout=30) as http:
        run.bookers = await _bookers(World(http, system.layout), system, run.scenario)
        progress, run.began = Progress(), monotonic()
        async with asyncio.TaskGroup() as running:
            for booker in run.bookers:
                running.create_task(booker.run(progress))
            faults = plan_faults(run.scenario)
            running.create_task(run.chaos.run(faults, progress, run.scenario.attempts))
        run.traffic_seconds = monotonic() - run.began
        run.settle_seconds = await _settle(system, run.scenario.settle_seconds)

    snapshot = await asyncio.to_thread(Snapshot.read, system.layout)
    intents = await asyncio.to_thread(read_intents, system.layout.standin_url, _intents(snapshot))
    found = await _violations(system, snapshot, intents) + run.from_healthy_services()
    with capsys.disabled():
        print(_figures(run, snapshot, found))
    dossiers = [
        await asyncio.to_thread(dossier, system.layout, snapshot, intents, booking_id)
        for booking_id in dict.fromkeys(v.booking_id for v in found if v.booking_id)
    ]
    assert not found, "\n".join([str(v) for v in found] + dossiers)


async def _bookers(world: World, system: RunningSystem, scenario: Scenario) -> list[Booker]:
    """Studios of each cancellation policy, few rooms, and bookers with seeded plans for them."""
    owners = [await world.account("owner") for _ in range(2)]
    studios = [
        await world.published_studio(owners[0], policy="flexible", rooms=2),
        await world.published_studio(owners[1], policy="moderate"),
        await world.published_studio(owners[1], policy="strict"),
    ]
    await _known_to_booking(system, studios)
    starts = (
        [soon(hours=h) for h in (3, 4, 5, 6)]  # under 24 h: a cancellation keeps part
        + [whole_hour(days=2, hour=h) for h in range(9, 14)]
        + [whole_hour(days=8, hour=h) for h in range(9, 13)]  # captured at once
    )
    bookers = []
    for number in range(scenario.bookers):
        rng = random.Random(f"booker-{scenario.seed}-{number}")
        plan = plan_attempts(rng, studios, starts, scenario.attempts_per_booker)
        bookers.append(Booker(world, await world.account("booker"), plan))
    return bookers


async def _known_to_booking(system: RunningSystem, studios: list[Studio]) -> None:
    """Booking learns studios from catalog's events; the chaos starts once it knows them all."""
    url = system.layout.database_urls["booking"]
    wanted = {str(studio.id) for studio in studios}
    deadline = monotonic() + 60
    while monotonic() < deadline:
        known = await asyncio.to_thread(rows, url, "SELECT studio_id::text FROM studios")
        if wanted <= {row["studio_id"] for row in known}:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("booking never learned the studios")


async def _settle(system: RunningSystem, bound: float) -> float | None:
    """Seconds until nothing is left to do, or None when the bound passed first."""
    began = monotonic()
    while monotonic() - began < bound:
        if not await _work_left(system):
            return monotonic() - began
        await asyncio.sleep(1)
    return None


async def _work_left(system: RunningSystem) -> list[str]:
    """What still moves: a booking in a waiting state, a Stripe call, a message on its way."""
    urls = system.layout.database_urls
    left = [
        f"{row['status']} booking"
        for row in await asyncio.to_thread(
            rows,
            urls["booking"],
            "SELECT status FROM bookings WHERE status IN ("
            + ", ".join(f"'{s}'" for s in TRANSIENT)
            + ")",
        )
    ]
    left += [
        f"{row['kind']} call"
        for row in await asyncio.to_thread(
            rows, urls["payments"], "SELECT kind FROM stripe_calls WHERE status = 'pending'"
        )
    ]
    for service in SERVICE_NAMES:
        unpublished = await asyncio.to_thread(
            rows, urls[service], "SELECT message_type FROM outbox WHERE published_at IS NULL"
        )
        left += [f"{service} outbox {row['message_type']}" for row in unpublished]
    if await queued_messages(system.layout.rabbit_url, system.layout.bus_namespace):
        left.append("queued messages")
    return left


def _intents(snapshot: Snapshot) -> list[str]:
    return [
        intent_id
        for booking_id, booking in snapshot.bookings.items()
        if (intent_id := intent_of(booking, snapshot.payments.get(booking_id)))
    ]


async def _violations(
    system: RunningSystem, snapshot: Snapshot, intents: dict[str, Intent]
) -> list[Violation]:
    layout = system.layout
    pending_calls = await asyncio.to_thread(
        rows,
        layout.database_urls["payments"],
        "SELECT booking_id::text, kind, attempts, last_error FROM stripe_calls"
        " WHERE status = 'pending'",
    )
    return (
        consistency(snapshot)
        + money_violations(snapshot, intents)
        + reservation_violations(snapshot)
        + stuck(snapshot, TRANSIENT)
        + [
            Violation(
                "no saga past its deadline",
                f"payments' {call['kind']} call still pending after {call['attempts']}"
                f" attempts: {call['last_error']}",
                call["booking_id"],
            )
            for call in pending_calls
        ]
        + await dead_letter_violations(layout.rabbit_url, layout.bus_namespace)
        + [
            Violation("every service stays up", f"{name} exited by itself")
            for name in system.processes.exited()
        ]
    )


def _figures(run: ChaosRun, snapshot: Snapshot, found: list[Violation]) -> str:
    """The run in figures, for the lead to quote."""
    scenario, chaos = run.scenario, run.chaos
    outcomes = [o for b in run.bookers for o in b.outcomes]
    errors = run.server_errors()
    by_invariant = Counter(v.invariant for v in found)
    final = Counter(b["status"] for b in snapshot.bookings.values())
    settled = (
        f"{run.settle_seconds:.1f} s"
        if run.settle_seconds is not None
        else f"not within {scenario.settle_seconds:.0f} s"
    )
    return "\n".join(
        [
            "",
            f"== chaos (seed {scenario.seed}): {scenario.bookers} bookers,"
            f" {len(outcomes)} attempts in {run.traffic_seconds:.1f} s",
            f"   behaviours: {dict(Counter(o.attempt.behaviour.value for o in outcomes))}",
            f"   bookers saw: {dict(Counter(o.seen for o in outcomes))}",
            f"   bookings at the end: {dict(final)}",
            f"   kills: {sum(chaos.kills.values())} {dict(chaos.kills)};"
            f" outages: {sum(chaos.outages.values())} {dict(chaos.outages)},"
            f" {chaos.sessions_cut} database sessions cut",
            f"   calls: {len(run.calls)}; 5xx: {len(errors)}"
            f" ({by_invariant['no 5xx from a healthy service']} from healthy services);"
            f" no answer: {sum(1 for c in run.calls if c.status is None)}",
            f"   5xx by service: {dict(Counter(f'{c.service} {c.status}' for c in errors))}",
            f"   time to settle: {settled}",
            f"   violations: {len(found)} {dict(by_invariant)}",
            *(f"   - {violation}" for violation in found),
        ]
    )
