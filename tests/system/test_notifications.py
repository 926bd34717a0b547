"""Emails as people receive them: a booking made and paid through the gateway reaches the
booker and the owner over real SMTP, in the studio's local time, with an invitation."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from scripts.client import StudiosClient, until, whole_hour
from tests.fixtures.mail import MailSink, Received
from tests.system.conftest import RunningSystem

PASSWORD = "a long enough password"


async def test_a_confirmed_booking_emails_the_booker_and_the_owner(
    system: RunningSystem, http: httpx.AsyncClient, mail_sink: MailSink
) -> None:
    client = StudiosClient(http, system.layout.gateway_url, system.standin)
    tag = uuid.uuid4().hex[:8]
    owner_email, booker_email = f"owner-{tag}@example.com", f"booker-{tag}@example.com"
    owner = await client.sign_up_or_in(owner_email, PASSWORD, "owner")
    booker = await client.sign_up_or_in(booker_email, PASSWORD, "booker")
    studio = await client.published_studio(owner, name=f"Mailroom {tag}")
    starts_at = whole_hour(days=3, hour=12)

    booking = await client.book(booker, studio, starts_at, hours=2)
    await client.pay(booking)
    await client.until_status(booker, booking["id"], "confirmed")

    async def arrived(address: str) -> list[Received] | None:
        """Both of the person's emails: the sign-up's verification link, then the booking's."""
        received = mail_sink.to(address)
        return received if len(received) >= 2 else None

    verify_booker, to_booker = await until(lambda: arrived(booker_email), what="booker's mail")
    verify_owner, to_owner = await until(lambda: arrived(owner_email), what="the owner's mail")
    assert len(mail_sink.to(booker_email)) == len(mail_sink.to(owner_email)) == 2
    for verification in (verify_booker, verify_owner):
        assert verification.subject == "Confirm your email for OneTime Studios"
        assert "/verify-email?token=" in verification.body("plain")
    berlin = starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert to_booker.subject.startswith(f"Booking confirmed: Mailroom {tag}")
    assert f"{berlin:%H:%M} to " in to_booker.body("plain")
    assert "(Europe/Berlin)" in to_booker.body("plain")
    assert "EUR" in to_booker.body("plain")
    [ics] = to_booker.attachments("text/calendar")
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    start: datetime = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start == starts_at
    assert booking["id"] in str(event["UID"])
    assert to_owner.subject.startswith(f"New booking at Mailroom {tag}")
    assert "Demo booker booked" in to_owner.body("plain")


async def test_a_declined_card_emails_the_booker_where_to_pay_again(
    system: RunningSystem, http: httpx.AsyncClient, mail_sink: MailSink
) -> None:
    """Booking tells the declined card (payments' failure, with what the booking is about), and
    notifications writes to the booker from that alone."""
    client = StudiosClient(http, system.layout.gateway_url, system.standin)
    tag = uuid.uuid4().hex[:8]
    booker_email = f"booker-{tag}@example.com"
    owner = await client.sign_up_or_in(f"owner-{tag}@example.com", PASSWORD, "owner")
    booker = await client.sign_up_or_in(booker_email, PASSWORD, "booker")
    studio = await client.published_studio(owner, name=f"Declines {tag}")

    booking = await client.book(booker, studio, whole_hour(days=3, hour=15), hours=1)
    declined = await client.pay(booking, card="pm_card_chargeDeclined")
    assert declined.status_code == 402

    async def told() -> list[Received] | None:
        subject = f"Your payment for Declines {tag}"
        return [m for m in mail_sink.to(booker_email) if m.subject.startswith(subject)] or None

    [mail] = await until(told, what="the declined card's email")
    text = " ".join(mail.body("plain").split())
    assert "your card was declined" in text
    assert f"/bookings/{booking['id']}/checkout" in text
