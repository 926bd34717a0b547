"""Behind PgBouncer in transaction mode, as deploy/ runs the services: the pool's units of work
share two server connections, the session advisory lock of `exclusive` goes to the database
directly, the relay publishes what units of work commit through it, and statements are not
prepared (PgBouncer before 1.21 forgets them between transactions)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from contracts.identity import UserDeleted
from service_runtime import outbox as outbox_module
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.relay_thread import RelayThread
from service_runtime.unit_of_work import UnitsOfWork
from tests.fixtures.infra import delete_queues, eventually

from .conftest import outbox

SERVER_CONNECTIONS = 2

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pooled_url(database_url: str) -> Iterator[str]:
    """`database_url`, through a PgBouncer of this test's own in transaction mode."""
    if not os.path.exists(PGBOUNCER):
        pytest.fail("pgbouncer is not installed: `make servers` installs it")
    direct = make_url(database_url)
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    (work / "users.txt").write_text(f'"{direct.username}" ""\n')
    (work / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={direct.host} port={direct.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {work / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {SERVER_CONNECTIONS}\n"
        "max_client_conn = 100\n"
        f"admin_users = {direct.username}\n"
        f"logfile = {work / 'pgbouncer.log'}\n"
    )
    command = [PGBOUNCER, str(work / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(work, "postgres")
        for path in work.iterdir():
            shutil.chown(path, "postgres")
        command[1:1] = ["-u", "postgres"]
    bouncer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = direct.set(port=port).render_as_string(hide_password=False)
    try:
        _wait_until_listening(port, bouncer)
        yield url
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def _wait_until_listening(port: int, bouncer: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if bouncer.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {bouncer.stderr and bouncer.stderr.read()!r}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("pgbouncer did not listen")


def _server_connections(pooled_url: str) -> int:
    """The server connections the bouncer holds for the test's database, as its admin console
    counts them (a closed one's backend may still be listed by the database a moment longer)."""
    url = make_url(pooled_url)
    console = url.set(drivername="postgresql", database="pgbouncer").render_as_string(False)
    # The console speaks the simple query protocol only: a client-side binding cursor.
    with psycopg.connect(console, autocommit=True, cursor_factory=psycopg.ClientCursor) as admin:
        cursor = admin.execute("SHOW POOLS")
        columns = [column.name for column in cursor.description or ()]
        pools = cursor.fetchall()
    held = ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login")
    return sum(
        pool[columns.index(state)]
        for pool in pools
        for state in held
        if pool[columns.index("database")] == url.database
    )


async def test_many_units_of_work_share_the_bouncers_few_server_connections(
    database_url: str, pooled_url: str
) -> None:
    database = Database(
        pooled_url, pool_size=10, max_overflow=0, direct_url=database_url, prepared_statements=False
    )
    seen: list[int] = []

    async def unit_of_work() -> None:
        for _ in range(10):  # the same statement more than 5 times: psycopg would prepare it
            async with database.transaction() as session:
                await outbox_module.record(
                    session, outbox, UserDeleted(user_id=uuid.uuid4()), correlation_id="x"
                )
                await session.execute(text("SELECT pg_sleep(0.001)"))
            seen.append(await asyncio.to_thread(_server_connections, pooled_url))

    try:
        await asyncio.gather(*(unit_of_work() for _ in range(10)))
        async with database.transaction() as session:
            recorded = (await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    finally:
        await database.dispose()

    assert recorded == 100
    assert max(seen) == SERVER_CONNECTIONS  # ten clients, PgBouncer's two server connections


async def test_the_advisory_lock_is_held_on_a_direct_connection(
    database_url: str, pooled_url: str
) -> None:
    """Through a transaction pooler the session lock would stay on a server connection that
    other clients then use; directly it is the process's own."""
    replicas = [
        Database(pooled_url, direct_url=database_url, prepared_statements=False) for _ in range(2)
    ]
    try:
        async with replicas[0].exclusive(4242) as first, replicas[1].exclusive(4242) as second:
            assert (first, second) == (True, False)
        async with replicas[1].exclusive(4242) as after_release:
            assert after_release
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_the_relay_publishes_what_commits_through_the_bouncer(
    database_url: str, pooled_url: str, rabbit_url: str, bus_namespace: str
) -> None:
    arrived: set[str] = set()

    async def collect(body: dict[str, Any]) -> None:
        arrived.add(body["message_id"])

    probe = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    name = f"probe-{uuid.uuid4().hex[:8]}"
    probe.consume(name, [UserDeleted.routing_key], collect)
    database = Database(pooled_url, direct_url=database_url, prepared_statements=False)
    relay = RelayThread(
        pooled_url,
        outbox,
        lambda: Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3),
        poll_seconds=30,  # only the hand-over can publish within the test
        prepared_statements=False,
    )
    units = UnitsOfWork(database, outbox, relay=relay.send)
    await probe.start()
    await relay.start()
    try:
        sent = set()
        for _ in range(8):
            async with units.begin() as uow:
                envelope = await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="x")
            sent.add(str(envelope.message_id))

        async def all_arrived() -> bool:
            return sent <= arrived

        await eventually(all_arrived, timeout=10)
    finally:
        await relay.stop()
        await database.dispose()
        await probe.stop()
        await delete_queues(rabbit_url, probe.topology.queues_of(name))
