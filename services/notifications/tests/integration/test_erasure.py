"""A deleted person is forgotten: their address and name go, nothing more is sent to them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from contracts import Envelope
from contracts.identity import UserDeleted
from notifications.db import tables
from notifications.db.unit import SqlNotificationsUnits
from notifications.service import booking_emails, read_model
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink

from ..conftest import Notifications, publish, seed


async def test_a_deleted_person_gets_no_pending_email_and_their_rows_are_blanked(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications)
    event = scene.confirmed(datetime.now(UTC) + timedelta(days=3))
    envelope = Envelope.wrap(event)
    async with SqlNotificationsUnits(
        notifications.runtime.units
    ).begin() as unit:  # recorded, then deleted, unsent
        await booking_emails.booking_confirmed(unit, event, envelope, notifications.writing)
        await read_model.forget_person(unit, scene.booker.id)

    for _ in range(2):  # the deletion announced twice (say, a replay): erased alike
        deleted = UserDeleted(user_id=scene.booker.id, deleted_at=datetime.now(UTC))
        await publish(publisher, Envelope.wrap(deleted), deleted)

    async def owner_told() -> bool:
        return bool(mail_sink.to(scene.owner.email))

    await eventually(owner_told)
    await asyncio.sleep(1)  # time for a mail to the booker to arrive, if one were coming
    assert mail_sink.to(scene.booker.email) == []
    [booker_row] = await notifications.emails(recipient_id=scene.booker.id)
    assert booker_row.status == "withdrawn"
    assert (booker_row.to_address, booker_row.text_body, booker_row.html_body) == ("", "", "")
    [owner_row] = await notifications.emails(recipient_id=scene.owner.id)
    assert owner_row.to_address == scene.owner.email
    async with notifications.runtime.database.transaction() as session:
        people = (await session.execute(select(tables.people.c.id))).scalars().all()
    assert scene.booker.id not in people
    assert scene.owner.id in people
