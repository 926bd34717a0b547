"""Reminders are rows due before the start, claimed when due, never sent once cancelled."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from contracts import Envelope
from contracts.booking import BookingCancelled, BookingConfirmed, CancellationReason, CancelledBy
from contracts.values import Money
from notifications.config import NotificationsSettings
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink

from ..conftest import Launch, publish, seed


def cancellation(event: BookingConfirmed) -> BookingCancelled:
    return BookingCancelled(
        booking_id=event.booking_id,
        booker_id=event.booker_id,
        owner_id=event.owner_id,
        studio_id=event.studio_id,
        room_id=event.room_id,
        time_range=event.time_range,
        cancelled_by=CancelledBy.BOOKER,
        reason=CancellationReason.REQUESTED,
        refund=Money(amount_minor=9000, currency="EUR"),
        cancelled_at=datetime.now(UTC),
    )


async def test_a_cancelled_bookings_reminder_is_not_sent_while_a_kept_ones_is(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    publisher: Bus,
    mail_sink: MailSink,
) -> None:
    # Reminders an hour before the start, for sessions starting an hour and 3 s from now.
    replica = await launch(notifications_settings(reminder_offsets_hours=[1]))
    kept, cancelled = await seed(replica), await seed(replica)
    starts_at = datetime.now(UTC) + timedelta(hours=1, seconds=3)
    kept_booking, cancelled_booking = kept.confirmed(starts_at), cancelled.confirmed(starts_at)
    for event in (kept_booking, cancelled_booking):
        await publish(publisher, Envelope.wrap(event), event)

    async def confirmed() -> bool:
        return bool(mail_sink.to(cancelled.booker.email))

    await eventually(confirmed)
    await publish(
        publisher, Envelope.wrap(cancellation(cancelled_booking)), cancellation(cancelled_booking)
    )

    async def kept_reminded() -> bool:
        return any(mail.subject.startswith("Reminder:") for mail in mail_sink.to(kept.booker.email))

    await eventually(kept_reminded)
    await asyncio.sleep(0.5)  # the other reminder fell due at the same instant
    subjects = [mail.subject.split(":")[0] for mail in mail_sink.to(cancelled.booker.email)]
    assert sorted(subjects) == ["Booking cancelled", "Booking confirmed"]
    [reminder] = await replica.reminders(cancelled_booking.booking_id)
    assert reminder.status == "cancelled"
    [kept_reminder] = await replica.reminders(kept_booking.booking_id)
    assert kept_reminder.status == "done"


async def test_a_reminder_already_past_is_not_scheduled(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    publisher: Bus,
) -> None:
    replica = await launch(notifications_settings(reminder_offsets_hours=[24, 1]))
    scene = await seed(replica)
    event = scene.confirmed(datetime.now(UTC) + timedelta(hours=5))

    await publish(publisher, Envelope.wrap(event), event)

    async def scheduled() -> bool:
        return bool(await replica.reminders(event.booking_id))

    await eventually(scheduled)
    [reminder] = await replica.reminders(event.booking_id)
    assert reminder.due_at == event.time_range.starts_at - timedelta(hours=1)
    assert uuid.UUID(str(reminder.booking_id)) == event.booking_id
