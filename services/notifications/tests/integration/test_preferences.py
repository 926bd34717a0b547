"""People who turned a kind of email off do not get it; the row says `skipped`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from contracts import Envelope
from contracts.booking import MessagePosted
from notifications.config import NotificationsSettings
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink
from tests.fixtures.tokens import TestIssuer

from ..conftest import Launch, Notifications, publish, seed

PATH = "/api/notifications/preferences"


async def _launch(
    launch: Launch,
    settings: Callable[..., NotificationsSettings],
    issuer: TestIssuer,
    **more: object,
) -> Notifications:
    return await launch(settings(**issuer.auth_settings(), **more))


async def _choose(
    replica: Notifications, issuer: TestIssuer, person: uuid.UUID, **chosen: bool
) -> None:
    response = await replica.client.put(PATH, json=chosen, headers=issuer.headers("booker", person))
    assert response.status_code == 200, response.text


async def test_preferences_need_a_token_and_round_trip_per_person(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await _launch(launch, notifications_settings, token_issuer)
    me, someone_else = uuid.uuid4(), uuid.uuid4()

    assert (await replica.client.get(PATH)).status_code == 401
    put = await replica.client.put(PATH, json={"reminders": False, "messages": False})
    assert put.status_code == 401
    await _choose(replica, token_issuer, me, reminders=False, messages=True)

    mine = await replica.client.get(PATH, headers=token_issuer.headers("booker", me))
    theirs = await replica.client.get(PATH, headers=token_issuer.headers("owner", someone_else))
    assert mine.json() == {"reminders": False, "messages": True}
    assert theirs.json() == {"reminders": True, "messages": True}


async def test_a_bad_preference_is_a_problem_naming_the_field(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await _launch(launch, notifications_settings, token_issuer)
    headers = token_issuer.headers("booker")

    not_a_bool = await replica.client.put(
        PATH, json={"reminders": "off", "messages": True}, headers=headers
    )
    missing = await replica.client.put(PATH, json={"reminders": True}, headers=headers)

    assert not_a_bool.status_code == 422
    assert not_a_bool.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in not_a_bool.json()["errors"]] == ["body.reminders"]
    assert [e["field"] for e in missing.json()["errors"]] == ["body.messages"]


async def test_a_booker_who_turned_reminders_off_gets_no_reminder(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    token_issuer: TestIssuer,
    publisher: Bus,
    mail_sink: MailSink,
) -> None:
    replica = await _launch(
        launch, notifications_settings, token_issuer, reminder_offsets_hours=[1]
    )
    quiet, keen = await seed(replica), await seed(replica)
    await _choose(replica, token_issuer, quiet.booker.id, reminders=False, messages=True)
    starts_at = datetime.now(UTC) + timedelta(hours=1, seconds=2)
    for event in (quiet.confirmed(starts_at), keen.confirmed(starts_at)):
        await publish(publisher, Envelope.wrap(event), event)

    async def keen_reminded() -> bool:
        return any(m.subject.startswith("Reminder:") for m in mail_sink.to(keen.booker.email))

    await eventually(keen_reminded)
    await asyncio.sleep(0.5)  # the quiet one's reminder fell due at the same instant
    [reminder] = await replica.emails(recipient_id=quiet.booker.id, kind="reminder")
    assert reminder.status == "skipped"
    assert [m.subject.split(":")[0] for m in mail_sink.to(quiet.booker.email)] == [
        "Booking confirmed"
    ]
    [sent] = [m for m in mail_sink.to(keen.booker.email) if m.subject.startswith("Reminder:")]
    assert "http://127.0.0.1:8080/account#email-preferences" in sent.body("plain")


async def test_a_person_who_turned_messages_off_gets_no_message_email(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    token_issuer: TestIssuer,
    publisher: Bus,
    mail_sink: MailSink,
) -> None:
    replica = await _launch(launch, notifications_settings, token_issuer)
    scene = await seed(replica)
    await _choose(replica, token_issuer, scene.owner.id, reminders=True, messages=False)
    confirmed = scene.confirmed(datetime.now(UTC) + timedelta(days=3))

    def posted(author: uuid.UUID) -> MessagePosted:
        return MessagePosted(
            booking_id=confirmed.booking_id, chat_message_id=uuid.uuid4(), author_id=author,
            excerpt="See you then", posted_at=datetime.now(UTC),
        )  # fmt: skip

    for event in (confirmed, posted(scene.booker.id), posted(scene.owner.id)):
        await publish(publisher, Envelope.wrap(event), event)

    async def both_handled() -> bool:
        # Either message may wait for the booking (retried until the confirmation is in), so
        # the booker's email going says nothing of the owner's row: wait for both.
        told = any(m.subject.startswith("New message") for m in mail_sink.to(scene.booker.email))
        return told and bool(await replica.emails(recipient_id=scene.owner.id, kind="new_message"))

    await eventually(both_handled)
    [to_owner] = await replica.emails(recipient_id=scene.owner.id, kind="new_message")
    assert to_owner.status == "skipped"
    assert not [m for m in mail_sink.to(scene.owner.email) if m.subject.startswith("New message")]
