"""Faults for the chaos test: a service killed (SIGKILL) and restarted, a crash loop, its
database connections cut for a few seconds. Every fault is logged with when it began and when
the service was whole again, so a client's 5xx can be told apart from one a healthy service gave.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from time import monotonic

import psycopg

from tests.system.conftest import RunningSystem

SAGA_SERVICES = ("availability", "booking", "payments")
"""The services a booking passes through: the ones worth breaking."""

FAULT_MARGIN_SECONDS = 1.0
"""A call that ended this soon after a fault may still have met it (a reset connection)."""

CUT_EVERY_SECONDS = 0.3
"""During an outage the service's connections are cut this often, so reconnecting fails too."""


@dataclass(frozen=True)
class Scenario:
    """How big a run is; `make test` runs the defaults, `make chaos` a longer one."""

    seed: int = 8
    bookers: int = 6
    attempts_per_booker: int = 4
    kills: int = 3
    crash_loops: int = 1
    outages: int = 3
    settle_seconds: float = 120.0

    @classmethod
    def from_env(cls) -> Scenario:
        """The defaults, each overridable by CHAOS_<FIELD> (CHAOS_SEED, CHAOS_BOOKERS, ...)."""
        defaults = cls()
        return cls(
            **{
                name: type(value)(os.environ.get(f"CHAOS_{name.upper()}", value))
                for name, value in vars(defaults).items()
            }
        )

    @property
    def attempts(self) -> int:
        return self.bookers * self.attempts_per_booker


class FaultKind(StrEnum):
    KILL = "kill"
    """SIGKILL, down a moment, restarted."""
    CRASH_LOOP = "crash_loop"
    """Killed again as soon as it is ready, three times: a bad deploy."""
    OUTAGE = "outage"
    """Its database sessions terminated again and again for a few seconds."""


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    service: str
    seconds: float


def plan_faults(scenario: Scenario) -> list[Fault]:
    """The run's faults in the order they strike, the same for the same seed."""
    rng = random.Random(f"faults-{scenario.seed}")

    def some(kind: FaultKind, count: int, seconds: Callable[[], float]) -> list[Fault]:
        # Round-robin over the services first, so a small run still breaks each of them.
        services = [SAGA_SERVICES[i % len(SAGA_SERVICES)] for i in range(count)]
        return [Fault(kind, service, round(seconds(), 1)) for service in services]

    faults = (
        some(FaultKind.KILL, scenario.kills, lambda: rng.uniform(0.5, 3))
        + some(FaultKind.CRASH_LOOP, scenario.crash_loops, lambda: 0.3)
        + some(FaultKind.OUTAGE, scenario.outages, lambda: rng.uniform(1, 3))
    )
    rng.shuffle(faults)
    return faults


@dataclass(frozen=True)
class FaultWindow:
    service: str
    kind: FaultKind
    started: float
    ended: float


@dataclass
class FaultLog:
    """When each service was not whole (monotonic clock)."""

    windows: list[FaultWindow] = field(default_factory=list)
    open_since: dict[str, tuple[FaultKind, float]] = field(default_factory=dict)

    def begin(self, service: str, kind: FaultKind) -> None:
        self.open_since[service] = (kind, monotonic())

    def end(self, service: str) -> None:
        kind, started = self.open_since.pop(service)
        self.windows.append(FaultWindow(service, kind, started, monotonic()))

    def healthy_throughout(self, service: str, started: float, ended: float) -> bool:
        """Whether no fault of the service overlapped a call made from `started` to `ended`."""
        if service in self.open_since:
            return False
        margin = FAULT_MARGIN_SECONDS
        return not any(
            w.service == service and w.started <= ended and started <= w.ended + margin
            for w in self.windows
        )


def terminate_sessions(database_url: str) -> int:
    """Terminate every other session on this database, as a failover does; how many there were."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@dataclass
class Chaos:
    """Strikes the planned faults one after another, leaving every service running after each."""

    system: RunningSystem
    log: FaultLog = field(default_factory=FaultLog)
    kills: Counter[str] = field(default_factory=Counter)
    outages: Counter[str] = field(default_factory=Counter)
    sessions_cut: int = 0

    async def strike(self, fault: Fault) -> None:
        self.log.begin(fault.service, fault.kind)
        try:
            if fault.kind is FaultKind.OUTAGE:
                await self._outage(fault.service, fault.seconds)
            else:
                times = 3 if fault.kind is FaultKind.CRASH_LOOP else 1
                for _ in range(times):
                    await self._kill_and_restart(fault.service, fault.seconds)
        finally:
            self.log.end(fault.service)

    async def _kill_and_restart(self, service: str, down_seconds: float) -> None:
        self.system.crash(service)
        self.kills[service] += 1
        await asyncio.sleep(down_seconds)
        await self.system.start(service)

    async def _outage(self, service: str, seconds: float) -> None:
        self.outages[service] += 1
        url = self.system.layout.database_urls[service]
        until = monotonic() + seconds
        while monotonic() < until:
            self.sessions_cut += await asyncio.to_thread(terminate_sessions, url)
            await asyncio.sleep(CUT_EVERY_SECONDS)

    async def run(self, faults: list[Fault], progress: Progress, total: int) -> None:
        """Strike fault i once i/(n+1) of the attempts are done, so faults meet live traffic
        however fast the machine is."""
        for number, fault in enumerate(faults, start=1):
            await progress.reach(total * number / (len(faults) + 1))
            await self.strike(fault)


class Progress:
    """How many attempts the bookers have finished; the chaos paces itself by it."""

    def __init__(self) -> None:
        self.done = 0
        self._changed = asyncio.Condition()

    async def one_more(self) -> None:
        async with self._changed:
            self.done += 1
            self._changed.notify_all()

    async def reach(self, count: float) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.done >= count)
