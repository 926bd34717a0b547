"""Emails recorded once per event and recipient, sent over real SMTP, retried, given up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update

from contracts import Envelope
from notifications.config import NotificationsSettings
from notifications.db import tables
from notifications.db.unit import SqlNotificationsUnits
from notifications.service import booking_emails
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually, free_port
from tests.fixtures.mail import MailSink

from ..conftest import Launch, Notifications, publish, seed


async def test_an_event_delivered_twice_sends_one_email_to_each_recipient(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications)
    event = scene.confirmed(datetime.now(UTC) + timedelta(days=3))
    envelope = Envelope.wrap(event)

    await publish(publisher, envelope, event)
    await publish(publisher, envelope, event)

    async def both_sent() -> bool:
        return bool(mail_sink.to(scene.booker.email) and mail_sink.to(scene.owner.email))

    await eventually(both_sent)
    await asyncio.sleep(1)  # time for a second copy to arrive, if one were coming
    booker_mail, owner_mail = mail_sink.to(scene.booker.email), mail_sink.to(scene.owner.email)
    assert len(booker_mail) == 1
    assert booker_mail[0].subject.startswith("Booking confirmed: Kreuzberg Sound Lab")
    assert len(owner_mail) == 1
    assert owner_mail[0].subject.startswith("New booking at Kreuzberg Sound Lab")
    assert "Bea Booker booked Kreuzberg Sound Lab." in owner_mail[0].body("plain")
    rows = await notifications.emails(event_id=envelope.message_id)
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1), ("sent", 1)]


async def test_a_sent_email_goes_after_the_retention_and_one_never_sent_stays(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    publisher: Bus,
    mail_sink: MailSink,
) -> None:
    notifications = await launch(
        notifications_settings(message_retention_hours=1, message_prune_interval_seconds=0.2)
    )
    scene = await seed(notifications)
    envelope = Envelope.wrap(event := scene.confirmed(datetime.now(UTC) + timedelta(days=3)))
    await publish(publisher, envelope, event)

    async def both_sent() -> bool:
        rows = await notifications.emails(event_id=envelope.message_id)
        return [row.status for row in rows] == ["sent", "sent"]

    await eventually(both_sent)
    rows = await notifications.emails(event_id=envelope.message_id)
    booker, owner = sorted(rows, key=lambda row: row.to_address != scene.booker.email)
    async with notifications.runtime.database.transaction() as session:
        await session.execute(
            update(tables.emails)
            .where(tables.emails.c.id == booker.id)
            .values(sent_at=func.now() - timedelta(hours=2))
        )
        await session.execute(
            update(tables.emails)
            .where(tables.emails.c.id == owner.id)
            .values(status="failed", sent_at=None, created_at=func.now() - timedelta(days=30))
        )

    async def only_the_one_never_sent_left() -> bool:
        return [row.id for row in await notifications.emails(event_id=envelope.message_id)] == [
            owner.id
        ]

    await eventually(only_the_one_never_sent_left)


async def test_the_same_event_recorded_again_past_the_inbox_adds_no_email(
    notifications: Notifications,
) -> None:
    scene = await seed(notifications)
    event = scene.confirmed(datetime.now(UTC) + timedelta(days=3))
    envelope = Envelope.wrap(event)
    writing = notifications.writing

    for _ in range(2):  # as if the inbox had forgotten the message id
        async with SqlNotificationsUnits(notifications.runtime.units).begin() as unit:
            await booking_emails.booking_confirmed(unit, event, envelope, writing)

    rows = await notifications.emails(event_id=envelope.message_id)
    assert sorted(row.kind for row in rows) == ["booking_confirmed", "new_booking"]


async def test_a_send_that_fails_is_retried_with_backoff_then_marked_failed(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
) -> None:
    nobody_listens = free_port()
    replica = await launch(
        notifications_settings(
            smtp_port=nobody_listens, send_max_attempts=3, send_first_retry_seconds=0.2
        )
    )
    scene = await seed(replica)
    event = scene.confirmed(datetime.now(UTC) + timedelta(days=3))
    envelope = Envelope.wrap(event)
    async with SqlNotificationsUnits(replica.runtime.units).begin() as unit:
        await booking_emails.booking_confirmed(unit, event, envelope, replica.writing)

    async def given_up() -> bool:
        rows = await replica.emails(event_id=envelope.message_id)
        return all(row.status == "failed" for row in rows)

    await eventually(given_up)
    for row in await replica.emails(event_id=envelope.message_id):
        assert row.attempts == 3
        assert row.sent_at is None
        assert "Connect" in row.last_error or "refused" in row.last_error.lower()
        # Two waits, 0.2 s then 0.4 s: the last attempt came no sooner than 0.6 s after the row.
        assert row.next_attempt_at - row.created_at >= timedelta(seconds=0.6)
    metrics = (await replica.client.get("/metrics")).text
    assert 'notifications_email_attempts_total{outcome="failed"} 2.0' in metrics
    assert 'notifications_email_attempts_total{outcome="retry"} 4.0' in metrics


async def test_a_recorded_email_wakes_the_sender_rather_than_waiting_for_its_next_round(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    publisher: Bus,
    mail_sink: MailSink,
) -> None:
    replica = await launch(notifications_settings(send_poll_seconds=3600))
    scene = await seed(replica)
    await asyncio.sleep(0.5)  # the sender's first round is over: the next one is an hour away
    event = scene.confirmed(datetime.now(UTC) + timedelta(days=3))

    await publish(publisher, Envelope.wrap(event), event)

    async def sent() -> bool:
        return bool(mail_sink.to(scene.booker.email))

    await eventually(sent, timeout=5)
