"""A notifications process killed while the SMTP server has not yet taken its emails sends each
of them once after a restart: the rows it had claimed are still pending, nothing was lost, and
nothing goes twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from contracts import Envelope, Message
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus
from contracts.identity import Role, UserCreated
from contracts.values import CancellationPolicy
from mail_sink import MailSink
from notifications.config import NotificationsSettings
from notifications.db import tables
from notifications.domain.read_models import Person
from service_runtime.bus import Bus
from service_runtime.tls import client_tls
from tests.fixtures.infra import eventually, free_port

from ..conftest import Scene, publish

pytestmark = pytest.mark.integration


class StallingSink(MailSink):
    """Takes no email while `stalling` is set: each DATA waits until `released`, then is
    refused (451)."""

    def __init__(self, port: int) -> None:
        super().__init__("127.0.0.1", port)
        self.stalling = threading.Event()
        self.released = threading.Event()
        self.stalled = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalling.is_set():
            self.stalled += 1
            await asyncio.to_thread(self.released.wait)
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def stalling_sink() -> Iterator[StallingSink]:
    sink = StallingSink(free_port())
    sink.start()
    yield sink
    # A failed test may leave sessions stalled: a thread still waiting would hang the exit.
    sink.released.set()
    sink.stop()


def _service(settings: NotificationsSettings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "NOTIFICATIONS_RABBIT_URL": settings.rabbit_url,
        "NOTIFICATIONS_BUS_NAMESPACE": settings.bus_namespace,
        "NOTIFICATIONS_HTTP_PORT": str(port),
        "NOTIFICATIONS_SMTP_PORT": str(settings.smtp_port),
        "NOTIFICATIONS_SEND_POLL_SECONDS": "0.2",
    }
    return subprocess.Popen([sys.executable, "-m", "notifications"], env=env)


async def _ready(port: int) -> bool:
    async with httpx.AsyncClient(verify=client_tls()) as client:
        try:
            return (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False


async def _knows_the_scene(database_url: str) -> bool:
    """The people and the studio are in the read model, so the booking can be written."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            people = await connection.scalar(select(func.count()).select_from(tables.people))
            studios = await connection.scalar(select(func.count()).select_from(tables.studios))
        return people == 2 and studios == 1
    finally:
        await engine.dispose()


def _scene() -> tuple[Scene, list[Message]]:
    owner, booker = uuid.uuid4(), uuid.uuid4()
    scene = Scene(
        studio_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        owner=_person(owner, "owner"),
        booker=_person(booker, "booker"),
        timezone="Europe/Berlin",
    )
    known: list[Message] = [
        UserCreated(user_id=owner, email=scene.owner.email, name="Olga", role=Role.OWNER),
        UserCreated(user_id=booker, email=scene.booker.email, name="Bea", role=Role.BOOKER),
        StudioPublished(
            studio_id=scene.studio_id, revision=1, slug=f"s-{scene.studio_id.hex[:8]}",
            owner_id=owner, name="Kreuzberg Sound Lab", timezone="Europe/Berlin",
            currency="EUR", hourly_price_minor=4500, minimum_hours=1,
            cancellation_policy=CancellationPolicy.FLEXIBLE,
            rooms=[RoomSnapshot(room_id=scene.room_id, name="Live Room", capacity=4)],
            status=StudioStatus.PUBLISHED, changed_at=datetime.now(UTC),
        ),
    ]  # fmt: skip
    return scene, known


def _person(person_id: uuid.UUID, role: str) -> Person:
    return Person(person_id, f"{role}-{person_id.hex[:8]}@example.com", role.title())


async def test_a_process_killed_before_the_server_took_its_emails_sends_each_once_after_restart(
    notifications_settings: Callable[..., NotificationsSettings],
    stalling_sink: StallingSink,
    publisher: Bus,
) -> None:
    settings = notifications_settings(smtp_port=stalling_sink.port)
    port = free_port()
    scene, known = _scene()
    process = _service(settings, port)
    try:
        await eventually(lambda: _ready(port), timeout=30)
        for message in known:
            await publish(publisher, Envelope.wrap(message), message)
        await eventually(lambda: _knows_the_scene(settings.database_url), timeout=30)
        stalling_sink.stalling.set()
        confirmed = scene.confirmed(datetime.now(UTC) + timedelta(days=3))
        await publish(publisher, Envelope.wrap(confirmed), confirmed)

        async def both_in_flight() -> bool:
            return stalling_sink.stalled >= 2

        await eventually(both_in_flight, timeout=15)
        process.send_signal(signal.SIGKILL)  # mid-send: the server has not answered DATA
        process.wait()
        stalling_sink.stalling.clear()
        stalling_sink.released.set()  # the stalled sessions end refused; nothing was kept
        assert stalling_sink.received() == []

        process = _service(settings, port)

        async def both_sent() -> bool:
            booker, owner = scene.booker.email, scene.owner.email
            return bool(stalling_sink.to(booker) and stalling_sink.to(owner))

        await eventually(both_sent, timeout=30)
        await asyncio.sleep(1)  # time for a second copy to arrive, if one were coming
        assert len(stalling_sink.to(scene.booker.email)) == 1
        assert len(stalling_sink.to(scene.owner.email)) == 1
    finally:
        process.kill()
        process.wait()
