"""What a confirmed booking costs, end to end, at 1, 8 and 32 concurrent bookers.

Not a test. Starts the whole system (six services, the Stripe stand-in, the gateway) on scratch
databases and a bus namespace of its own, measures the machine's floors in the same run, then at
each level every booker books a room of its own (no collisions), confirms the card at the
stand-in as Stripe.js would, tells payments so (`card-confirmed`, as the booker's page does:
payments reads the payment at Stripe rather than wait for the webhook) and waits until the
booking is confirmed with long polls (as the booker's page does). Per level:

- confirmed bookings per second; `POST /api/bookings` p50/p99; card confirmed -> booking
  confirmed p50/p99 (ms);
- CPU ms per booking of each process (from /proc: each service, the Stripe stand-in, the mail
  sink, nginx, and the machine's PostgreSQL and RabbitMQ), in all and without the two
  stand-ins (what production runs itself), commits per booking (PostgreSQL's own counters of the
  system's databases, less the background loops' idle rate measured just before), connections
  opened per booking (a server process forked each, its statements prepared anew), messages
  per booking (rows the outboxes recorded) and deliveries per booking (messages consumed: rows
  the inboxes recorded; a message two services consume counts twice, one nobody consumes not
  at all), HTTP requests per booking, POSTs answered 202 and every 5xx;
- each process's share of that CPU, which compares between two runs on a noisy machine better
  than the milliseconds do (an unchanged service's ms move ±25% between back-to-back runs here);
- ratios to the floors: the share of PostgreSQL's commit rate and RabbitMQ's publish rate the
  level used, and POST p99 over nginx's own p99.

Figures go to the terminal and to bench/results/booking_throughput.json. Measure on a quiet
machine: PostgreSQL's and RabbitMQ's CPU counts whatever else uses them.

    make bench, or: PYTHONPATH=. uv run python bench/booking_throughput.py [--studios 1]
        [--days-ahead 2]

Every booker books in one studio by default, whose free time availability then publishes (and
catalog consumes) about once a second whatever the rate. `--studios N` spreads the bookers over
N studios (booker i in studio i modulo N), as a marketplace's bookings are spread: up to one
publication per booking at 32.

The bookings start two days ahead by default, within the card authorization's life, so each is
authorized and would be captured after its session. `--days-ahead 10` books past payments'
authorization window (6 days), as most bookings made a week or more ahead are: each is paid at
once, when the card is confirmed (a capture call at Stripe, PaymentCaptured and one more saga
step and receipt each).
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5499/postgres  another server
    STRIPE_STANDIN_WEBHOOK_DELAY_SECONDS=1  Stripe's webhooks a second late, as Stripe may be
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlparse

import httpx
import psycopg

from bench.measuring import CpuMeter, floors, percentile, write_results
from scripts.client import Account, Studio, StudiosClient, whole_hour
from scripts.scratch_system import RABBIT_URL, scratch_system
from scripts.system import Processes, SystemLayout

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
LEVELS = ((1, 20), (8, 80), (32, 160))  # concurrent bookers, bookings at that level
FIRST_DAY = 2  # days ahead, unless --days-ahead says otherwise
"""Each level books on days of its own from here, as many as its bookings per booker need (24 a
day), and the warm-up on the day after them. The default levels need a day each, so every
booking is within the card authorization's life (about 7 days) and authorized, then captured at
completion, as most bookings are. A level long enough to need more days (a profiling run) books
further ahead too, where a booking is captured at once: more Stripe calls and messages each. The
studio takes bookings up to 60 days ahead (scripts/client.py)."""
STANDINS = ("stripe-standin", "mail-sink")
"""Processes that stand in for Stripe and an SMTP server: in the total, and left out of the
figure of the system alone."""
# PostgreSQL publishes a backend's counters when it goes idle, at most every 10 s (PG 15+).
STATS_SETTLE_SECONDS = 11


@dataclass
class Traffic:
    """Every HTTP request the bench made, and the 5xx among them by method, route and status."""

    requests: int = 0
    late_posts: int = 0  # answered 202: the slot held, but the payment not ready within the wait
    server_errors: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    async def __call__(self, response: httpx.Response) -> None:
        self.requests += 1
        if response.status_code >= 500:
            path = response.request.url.path.split("/")[:4]  # /api/bookings/{id} as one route
            self.server_errors[(response.request.method, "/".join(path), response.status_code)] += 1


class DatabaseCounters:
    """Commits and connections opened (PostgreSQL's own statistics) and outbox and inbox rows
    of the system's databases."""

    def __init__(self, layout: SystemLayout) -> None:
        self._urls = {
            service: urlparse(url)._replace(scheme="postgresql").geturl()
            for service, url in layout.database_urls.items()
        }

    def sample(self) -> Counts:
        service_of = {urlparse(url).path.lstrip("/"): name for name, url in self._urls.items()}
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT datname, xact_commit, sessions FROM pg_stat_database"
                " WHERE datname = ANY(%s)",
                [list(service_of)],
            ).fetchall()
        commits = {service_of[name]: int(count) for name, count, _ in rows}
        messages = deliveries = 0
        for url in self._urls.values():  # a connection each: `connections_since` leaves them out
            with psycopg.connect(url, autocommit=True) as connection:
                recorded, consumed = connection.execute(
                    "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM inbox)"
                ).fetchone() or (0, 0)
                messages, deliveries = messages + recorded, deliveries + consumed
        sessions = sum(int(opened) for *_, opened in rows)
        return Counts(commits, sessions, messages, deliveries)

    def connections_since(self, before: Counts, after: Counts) -> int:
        """Connections the system opened between two samples, without the sampler's own."""
        return after.connections - before.connections - len(self._urls)


class Counts(NamedTuple):
    commits: dict[str, int]
    connections: int
    """Sessions opened to the system's databases so far (pg_stat_database.sessions)."""
    messages: int
    deliveries: int


async def book_and_confirm(
    client: StudiosClient,
    traffic: Traffic,
    booker: Account,
    studio: Studio,
    room: int,
    day: int,
    hour: int,
) -> tuple[float, float]:
    """(POST latency, card-confirmed-to-confirmed latency) in milliseconds, for one booking."""
    started = time.perf_counter()
    answer = await client.request_booking(booker, studio, whole_hour(days=day, hour=hour), 1, room)
    posted = time.perf_counter()
    assert answer.status_code in (201, 202), answer.text
    booking = answer.json()
    if answer.status_code == 202:
        traffic.late_posts += 1
    while not booking["client_secret"]:  # 202: held, but the payment not ready within the wait
        booking = await client.changed(booker, booking)
    await client.pay(booking)
    paid = time.perf_counter()
    checked = await client.card_went_through(booker, booking)  # as the booker's page does
    assert checked.status_code == 200, checked.text
    while booking["status"] != "confirmed":  # waits as the booker's page does: a long poll
        booking = await client.changed(booker, booking)
    return (posted - started) * 1000, (time.perf_counter() - paid) * 1000


@dataclass
class Level:
    bookers: int
    bookings: int
    seconds: float
    posts: list[float]
    confirms: list[float]
    cpu_seconds: dict[str, float]
    idle_cpu_per_s: dict[str, float]
    """Each process's CPU seconds per second just before the level, with nothing booked."""
    commits: dict[str, float]
    connections: int
    messages: int
    deliveries: int
    requests: int
    posts_answered_202: int
    five_xx: int

    def figures(self, floor: dict[str, float]) -> dict[str, Any]:
        rate = self.bookings / self.seconds
        per_booking = {name: 1000 * cpu / self.bookings for name, cpu in self.cpu_seconds.items()}
        cpu_ms = sum(per_booking.values())
        by_service = {name: count / self.bookings for name, count in self.commits.items()}
        commits, messages = sum(by_service.values()), self.messages / self.bookings
        idle_ms_per_s = {name: 1000 * cpu for name, cpu in self.idle_cpu_per_s.items()}
        return {
            "bookers": self.bookers,
            "bookings": self.bookings,
            "confirmed_per_s": rate,
            "post_p50_ms": statistics.median(self.posts),
            "post_p99_ms": percentile(self.posts, 0.99),
            "confirmed_p50_ms": statistics.median(self.confirms),
            "confirmed_p99_ms": percentile(self.confirms, 0.99),
            "cpu_ms_per_booking": cpu_ms,
            "cpu_ms_per_booking_without_standins": sum(
                cpu for name, cpu in per_booking.items() if name not in STANDINS
            ),
            "cpu_ms_per_booking_by_process": dict(sorted(per_booking.items())),
            # Steadier than the ms between two runs on a shared machine: a change shows as its
            # process's share moving against the others measured in the same run.
            "cpu_share_percent_by_process": {
                name: 100 * cpu / cpu_ms for name, cpu in sorted(per_booking.items())
            },
            # What the background loops (relays' sweeps, pollers, pings) and the servers spend
            # with nothing booked: spent anyway, though counted in cpu_ms_per_booking.
            "idle_cpu_ms_per_s_by_process": dict(sorted(idle_ms_per_s.items())),
            "idle_cpu_ms_per_booking": sum(idle_ms_per_s.values()) / rate,
            "commits_per_booking": commits,
            "commits_per_booking_by_service": dict(sorted(by_service.items())),
            "messages_per_booking": messages,
            "deliveries_per_booking": self.deliveries / self.bookings,
            # Each a server process forked, and a client's statements prepared anew.
            "connections_per_booking": self.connections / self.bookings,
            "http_requests_per_booking": self.requests / self.bookings,
            "posts_answered_202": self.posts_answered_202,
            "five_xx": self.five_xx,
            "ratios": {
                "share_of_postgres_commit_floor": commits * rate / floor["postgres_commits_per_s"],
                "share_of_rabbitmq_publish_floor": messages
                * rate
                / floor["rabbitmq_confirmed_publishes_per_s"],
                "post_p99_over_nginx_p99": percentile(self.posts, 0.99)
                / floor["nginx_empty_p99_ms"],
            },
        }


def _days(level: int, count: int) -> int:
    """The days a level's bookers need, each booking its room hour after hour."""
    return math.ceil(count // level / 24)


async def run_level(
    client: StudiosClient,
    bookers: list[Account],
    studios: list[Studio],
    level: int,
    count: int,
    day: int,
    meters: tuple[CpuMeter, DatabaseCounters, Traffic],
) -> Level:
    cpu, counters, traffic = meters
    per_booker = count // level
    posts: list[float] = []
    confirms: list[float] = []

    async def booker_loop(index: int) -> None:
        for hours in range(per_booker):  # the booker's room, hour after hour, day after day
            studio, room = studios[index % len(studios)], index // len(studios)
            post, confirm = await book_and_confirm(
                client, traffic, bookers[index], studio, room, day + hours // 24, hours % 24
            )
            posts.append(post)
            confirms.append(confirm)

    await asyncio.sleep(STATS_SETTLE_SECONDS)
    idle_from, idle_cpu_from = counters.sample().commits, cpu.sample()
    await asyncio.sleep(STATS_SETTLE_SECONDS)
    before, idle_cpu_to = counters.sample(), cpu.sample()
    # The background loops commit while nothing happens: that rate is not the bookings' cost.
    idle_per_s = {
        name: (count - idle_from[name]) / STATS_SETTLE_SECONDS
        for name, count in before.commits.items()
    }
    measured_from = time.perf_counter()
    cpu_before, requests_before = cpu.sample(), traffic.requests
    errors_before, late_before = sum(traffic.server_errors.values()), traffic.late_posts
    started = time.perf_counter()
    await asyncio.gather(*(booker_loop(index) for index in range(level)))
    seconds = time.perf_counter() - started
    cpu_after, requests = cpu.sample(), traffic.requests - requests_before
    cpu_used = {name: used - cpu_before.get(name, 0.0) for name, used in cpu_after.items()}
    await asyncio.sleep(STATS_SETTLE_SECONDS)
    after = counters.sample()
    elapsed = time.perf_counter() - measured_from
    return Level(
        bookers=level,
        bookings=level * per_booker,
        seconds=seconds,
        posts=posts,
        confirms=confirms,
        cpu_seconds=cpu_used,
        idle_cpu_per_s={
            name: (used - idle_cpu_from.get(name, 0.0)) / STATS_SETTLE_SECONDS
            for name, used in idle_cpu_to.items()
        },
        commits={
            name: count - before.commits[name] - idle_per_s[name] * elapsed
            for name, count in after.commits.items()
        },
        connections=counters.connections_since(before, after),
        messages=after.messages - before.messages,
        deliveries=after.deliveries - before.deliveries,
        requests=requests,
        posts_answered_202=traffic.late_posts - late_before,
        five_xx=sum(traffic.server_errors.values()) - errors_before,
    )


def report(floor: dict[str, float], levels: list[dict[str, Any]], traffic: Traffic) -> None:
    print("floors: " + ", ".join(f"{name} {value:.1f}" for name, value in floor.items()))
    print(f"{'bookers':>8}{'conf/s':>8}{'POST p50':>10}{'p99':>7}{'confirm p50':>13}{'p99':>7}"
          f"{'CPU ms':>8}{'commits':>9}{'conns':>7}{'msgs':>6}{'dlvrd':>6}{'HTTP':>6}{'202':>5}"
          f"{'5xx':>5}"
          f"{'PG share':>10}{'MQ share':>10}")  # fmt: skip
    for level in levels:
        ratios = level["ratios"]
        print(
            f"{level['bookers']:>8}{level['confirmed_per_s']:>8.1f}"
            f"{level['post_p50_ms']:>10.0f}{level['post_p99_ms']:>7.0f}"
            f"{level['confirmed_p50_ms']:>13.0f}{level['confirmed_p99_ms']:>7.0f}"
            f"{level['cpu_ms_per_booking']:>8.1f}{level['commits_per_booking']:>9.1f}"
            f"{level['connections_per_booking']:>7.2f}"
            f"{level['messages_per_booking']:>6.1f}{level['deliveries_per_booking']:>6.1f}"
            f"{level['http_requests_per_booking']:>6.1f}"
            f"{level['posts_answered_202']:>5}{level['five_xx']:>5}{ratios['share_of_postgres_commit_floor']:>10.2f}"
            f"{ratios['share_of_rabbitmq_publish_floor']:>10.2f}"
        )
        for what, key in (("CPU ms", "cpu_ms_per_booking_by_process"),
                          ("CPU share %", "cpu_share_percent_by_process"),
                          ("commits", "commits_per_booking_by_service")):  # fmt: skip
            shares = ", ".join(f"{name} {value:.1f}" for name, value in level[key].items())
            print(f"{'':8}{what}: {shares}")
        alone = level["cpu_ms_per_booking_without_standins"]
        print(f"{'':8}CPU ms without the stand-ins ({', '.join(STANDINS)}): {alone:.1f}")
        idle = level["idle_cpu_ms_per_s_by_process"]
        print(
            f"{'':8}idle CPU ms/s before the level: {sum(idle.values()):.1f} in all "
            f"({level['idle_cpu_ms_per_booking']:.1f} ms of each booking's at its rate): "
            + ", ".join(f"{name} {value:.1f}" for name, value in idle.items())
        )
    for (method, route, status), count in sorted(traffic.server_errors.items()):
        print(f"  {count:>5} {status} {method} {route}")


async def measure(
    layout: SystemLayout, processes: Processes, spread: int, first_day: int
) -> dict[str, Any]:
    floor = await floors(ADMIN_URL, RABBIT_URL, f"{layout.gateway_url}/healthz")
    traffic = Traffic()
    hooks: dict[str, list[Callable[..., Any]]] = {"response": [traffic]}
    meters = (
        CpuMeter({name: process.pid for name, process in processes.running.items()}),
        DatabaseCounters(layout),
        traffic,
    )
    # Kept idle for less than the Stripe stand-in's uvicorn keeps them (5 s): with httpx's
    # default, also 5 s, a request could go out on a connection just as the server closed it
    # (an httpx.ReadError, which ended a run of the benchmark here once).
    limits = httpx.Limits(max_connections=64, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=60, limits=limits, event_hooks=hooks) as http:
        client = StudiosClient(http, layout.gateway_url, layout.standin_url)
        owner = await client.account("owner")
        most = max(level for level, _ in LEVELS)
        rooms = -(-most // spread)
        studios = [await client.published_studio(owner, rooms=rooms) for _ in range(spread)]
        bookers = list(await asyncio.gather(*(client.account("booker") for _ in range(most))))
        first_days = list(
            itertools.accumulate(
                (_days(level, count) for level, count in LEVELS), initial=first_day
            )
        )
        for booker, studio in zip(bookers, studios, strict=False):
            await book_and_confirm(client, traffic, booker, studio, 0, first_days[-1], 0)
        levels = [
            (await run_level(client, bookers, studios, level, count, day, meters)).figures(floor)
            for (level, count), day in zip(LEVELS, first_days, strict=False)
        ]
    report(floor, levels, traffic)
    return {"floors": floor, "studios": spread, "days_ahead": first_day, "levels": levels}


def main(spread: int, first_day: int) -> None:
    with scratch_system(ADMIN_URL) as (layout, work, processes):
        figures = asyncio.run(measure(layout, processes, spread, first_day))
        written = write_results("booking_throughput", figures)
        print(f"(figures in {written}; logs in {work / 'logs'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--studios",
        type=int,
        choices=range(1, max(level for level, _ in LEVELS) + 1),
        default=1,
        metavar="N",
        help="spread the bookers over N studios (booker i books in studio i modulo N)",
    )
    parser.add_argument(
        "--days-ahead",
        type=int,
        choices=range(1, 51),  # the levels' days after it stay within the studio's 60
        default=FIRST_DAY,
        metavar="DAYS",
        help="book from this many days ahead (past 6, every booking is paid at once)",
    )
    arguments = parser.parse_args()
    main(arguments.studios, arguments.days_ahead)
