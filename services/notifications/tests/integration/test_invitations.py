"""The booker's emails in their studio's terms, with an .ics a calendar can read."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from contracts import Envelope
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink, Received

from ..conftest import Notifications, publish, seed
from .test_reminders import cancellation


def invite(mail: Received) -> Calendar:
    [ics] = mail.attachments("text/calendar")
    return Calendar.from_ical(ics)


async def test_the_invitation_holds_the_studios_local_time_and_zone_and_is_cancelled_later(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications, timezone="Europe/Berlin")
    # 09:00 UTC on a winter day is 10:00 in Berlin (CET, UTC+1).
    confirmed = scene.confirmed(datetime(2030, 12, 10, 9, 0, tzinfo=UTC), hours=2)
    await publish(publisher, Envelope.wrap(confirmed), confirmed)

    async def confirmation_sent() -> bool:
        return bool(mail_sink.to(scene.booker.email))

    await eventually(confirmation_sent)
    [mail] = mail_sink.to(scene.booker.email)
    request = invite(mail)
    [event] = request.walk("VEVENT")
    assert str(request["METHOD"]) == "REQUEST"
    starts = event.decoded("DTSTART")
    assert (starts.replace(tzinfo=None), str(starts.tzinfo)) == (
        datetime(2030, 12, 10, 10, 0),
        "Europe/Berlin",
    )
    assert event.decoded("DTEND").astimezone(ZoneInfo("Europe/Berlin")).hour == 12
    assert [tz["TZID"] for tz in request.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert int(event["SEQUENCE"]) == 0
    assert "Oranienstraße 1, Berlin, DE" in str(event["LOCATION"])
    text = mail.body("plain")
    assert "Tuesday 10 December 2030, 10:00 to 12:00 CET (Europe/Berlin)" in text
    assert "90.00 EUR" in text
    assert "90.00 EUR" in mail.body("html")

    cancelled = cancellation(confirmed)
    await publish(publisher, Envelope.wrap(cancelled), cancelled)

    async def cancellation_sent() -> bool:
        return len(mail_sink.to(scene.booker.email)) == 2

    await eventually(cancellation_sent)
    cancel_mail = next(m for m in mail_sink.to(scene.booker.email) if m is not mail)
    assert cancel_mail.subject.startswith("Booking cancelled: Kreuzberg Sound Lab")
    assert "Refund: 90.00 EUR" in cancel_mail.body("plain")
    cancel = invite(cancel_mail)
    [cancelled_event] = cancel.walk("VEVENT")
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancelled_event["UID"]) == str(event["UID"])
    assert int(cancelled_event["SEQUENCE"]) > int(event["SEQUENCE"])
    assert str(cancelled_event["STATUS"]) == "CANCELLED"
