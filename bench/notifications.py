"""Emails per second at a burst of confirmations, and the time from a booking confirmed to its
email at the SMTP server (p50/p99).

Not a test. Starts the notifications service as its own process on a scratch database and bus
namespace, sending to a real SMTP server (the mail sink, aiosmtpd) in this process; tells it of
an owner, a studio and the bookers, publishes 30 BookingConfirmed one at a time (each waited
for at the sink: the latency a booker sees), then N at once (each
calls for two emails: the booker's, with an .ics invitation, and the owner's). The floor is the
same number of emails sent straight to the same server with aiosmtplib, one connection each as
the service does. The figures also go to bench/results/notifications.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/notifications.py [--bookings 200]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import psycopg

from bench.measuring import (
    forget_bus,
    percentile,
    process_cpu_seconds,
    publish_all,
    scratch_database,
    sqlalchemy_url,
    wait_for,
    write_results,
)
from contracts import Message
from contracts.booking import BookingConfirmed
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus
from contracts.identity import Role, UserCreated
from contracts.values import CancellationPolicy, Money, TimeRange
from mail_sink import MailSink
from scripts.system import Processes, SystemLayout, migrate, start_service
from service_runtime.bus import Bus
from tests.fixtures.infra import free_port

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
ONE_AT_A_TIME = 30  # confirmations sent one after the other, each waited for at the sink


async def floor(sink: MailSink, count: int) -> float:
    """Emails per second sent straight to the sink, a connection each."""
    started = time.perf_counter()
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = "floor@example.com", f"floor-{n}@example.com"
        message["Subject"] = "floor"
        message.set_content("x" * 2000)
        await aiosmtplib.send(message, hostname=sink.host, port=sink.port)
    return count / (time.perf_counter() - started)


def has_mail(sink: MailSink, address: str) -> bool:
    return bool(sink.to(address))


def has_received(sink: MailSink, count: int) -> bool:
    return len(sink.received()) >= count


def scene(bookings: int) -> tuple[list[Message], list[BookingConfirmed]]:
    """What identity and catalog announce first, then the burst of confirmations."""
    owner, studio_id, room_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    people = [UserCreated(user_id=owner, email="owner@bench.test", name="Olga", role=Role.OWNER)]
    bookers = [uuid.uuid4() for _ in range(bookings)]
    people += [
        UserCreated(user_id=b, email=f"booker-{b.hex}@bench.test", name="Bea", role=Role.BOOKER)
        for b in bookers
    ]
    studio = StudioPublished(
        studio_id=studio_id, revision=1, slug=f"bench-{studio_id.hex[:8]}", owner_id=owner,
        name="Bench Sound Lab", timezone="Europe/Berlin", currency="EUR",
        hourly_price_minor=4500, minimum_hours=1, cancellation_policy=CancellationPolicy.FLEXIBLE,
        rooms=[RoomSnapshot(room_id=room_id, name="Live Room", capacity=4)],
        status=StudioStatus.PUBLISHED, changed_at=now, city="Berlin", country="DE",
    )  # fmt: skip
    confirmations = [
        BookingConfirmed(
            booking_id=uuid.uuid4(), booker_id=booker, owner_id=owner, studio_id=studio_id,
            room_id=room_id, price=Money(amount_minor=9000, currency="EUR"), confirmed_at=now,
            time_range=TimeRange(starts_at=now + timedelta(days=3, hours=n),
                                 ends_at=now + timedelta(days=3, hours=n + 2)),
        )
        for n, booker in enumerate(bookers)
    ]  # fmt: skip
    return [*people, studio], confirmations


async def run(bookings: int) -> dict[str, float]:
    with scratch_database(ADMIN_URL, "bench_notifications") as database_url:
        return await measure(bookings, database_url)


async def measure(bookings: int, database_url: str) -> dict[str, float]:
    url = sqlalchemy_url(database_url)
    sink = MailSink("127.0.0.1", free_port())
    sink.start()
    layout = SystemLayout(
        database_urls={"notifications": url},
        ports={"notifications": free_port(), "identity": free_port()},
        standin_port=free_port(),
        gateway_port=None,
        bus_namespace=f"bench-{uuid.uuid4().hex[:8]}",
        rabbit_url=RABBIT_URL,
        smtp_port=sink.port,
    )
    processes = Processes(Path(tempfile.mkdtemp(prefix="bench-notifications-")))
    bus = Bus(RABBIT_URL, namespace=layout.bus_namespace, max_deliveries=3)
    try:
        floor_per_s = await floor(sink, 2 * bookings)
        migrate(layout, "notifications")
        start_service(processes, layout, "notifications")
        await asyncio.to_thread(
            processes.wait_ready, "notifications", f"{layout.url('notifications')}/readyz"
        )
        await bus.start()
        known, confirmations = scene(ONE_AT_A_TIME + bookings)
        await publish_all(bus, known)
        with psycopg.connect(database_url, autocommit=True) as connection:

            def all_known() -> bool:
                row = connection.execute("SELECT count(*) FROM people").fetchone()
                return bool(row and row[0] == ONE_AT_A_TIME + bookings + 1)

            await wait_for(all_known, "the people")
        one_at_a_time = []
        for n, confirmation in enumerate(confirmations[:ONE_AT_A_TIME], start=1):
            address = f"booker-{confirmation.booker_id.hex}@bench.test"
            sent_at = time.perf_counter()
            await publish_all(bus, [confirmation])
            await wait_for(functools.partial(has_mail, sink, address), "one confirmation's email")
            one_at_a_time.append((time.perf_counter() - sent_at) * 1000)
            await wait_for(functools.partial(has_received, sink, 2 * n), "the owner's email too")
        burst = confirmations[ONE_AT_A_TIME:]
        pid = processes.running["notifications"].pid
        cpu_before, already = process_cpu_seconds(pid), len(sink.received())
        published_at = datetime.now(UTC)
        await publish_all(bus, burst)
        await wait_for(lambda: len(sink.received()) - already >= 2 * len(burst), "the emails")
        cpu = process_cpu_seconds(pid) - cpu_before
        arrived = sink.received()[already:]
        last = max(mail.received_at for mail in arrived)
        latencies = [(mail.received_at - published_at).total_seconds() * 1000 for mail in arrived]
        rate = len(arrived) / (last - published_at).total_seconds()
        return {
            "one_at_a_time_p50_ms": percentile(one_at_a_time, 0.5),
            "one_at_a_time_p99_ms": percentile(one_at_a_time, 0.99),
            "bookings": len(burst),
            "emails": len(arrived),
            "emails_per_s": rate,
            "floor_emails_per_s": floor_per_s,
            "ratio_to_floor": rate / floor_per_s,
            "confirmed_to_email_p50_ms": percentile(latencies, 0.5),
            "confirmed_to_email_p99_ms": percentile(latencies, 0.99),
            "cpu_ms_per_email": cpu * 1000 / len(arrived),
        }
    finally:
        await bus.stop()
        processes.stop_all()
        sink.stop()
        await forget_bus(RABBIT_URL, layout.bus_namespace, ["notifications"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    figures = asyncio.run(run(parser.parse_args().bookings))
    print(f"notifications: a burst of {figures['bookings']} confirmations, "
          f"{figures['emails']} emails")  # fmt: skip
    print(f"  sent           {figures['emails_per_s']:8.1f} emails/s "
          f"({figures['ratio_to_floor']:.2f} of the floor)")  # fmt: skip
    print(f"  floor          {figures['floor_emails_per_s']:8.1f} emails/s (aiosmtplib, direct)")
    print(
        f"  confirmed → email  p50 {figures['confirmed_to_email_p50_ms']:.0f} ms, "
        f"p99 {figures['confirmed_to_email_p99_ms']:.0f} ms (the whole burst queued at once)"
    )
    print(
        f"  one at a time: confirmed → the booker's email p50 "
        f"{figures['one_at_a_time_p50_ms']:.0f} ms, p99 {figures['one_at_a_time_p99_ms']:.0f} ms"
    )
    print(f"  CPU            {figures['cpu_ms_per_email']:8.2f} ms per email (notifications)")
    write_results("notifications", figures)


if __name__ == "__main__":
    main()
