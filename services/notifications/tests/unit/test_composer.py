"""Emails written from the templates: safe whatever the names in them hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notifications.domain.notices import BookingStatus, Kind
from notifications.domain.read_models import Booking, Person, Studio
from notifications.emails import BookingFacts, Composer

ROOM = uuid.uuid4()


def facts(studio_name: str, booker_name: str) -> BookingFacts:
    booker = Person(uuid.uuid4(), "bea@example.com", booker_name)
    owner = Person(uuid.uuid4(), "olga@example.com", "Olga")
    studio = Studio(uuid.uuid4(), 1, owner.id, studio_name, "Asia/Tokyo", rooms={ROOM: "A"})
    booking = Booking(
        id=uuid.uuid4(),
        booker_id=booker.id,
        owner_id=owner.id,
        studio_id=studio.id,
        room_id=ROOM,
        starts_at=datetime(2030, 3, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 3, 0, tzinfo=UTC),
        status=BookingStatus.CONFIRMED,
    )
    return BookingFacts(booking, studio, booker, owner)


def test_a_name_with_a_line_break_still_makes_a_one_line_subject() -> None:
    about = facts("Studio\r\nBcc: everyone@example.com", "Bea")

    email = Composer().compose(
        Kind.REMINDER, about, about.booker.id, event_id=uuid.uuid4(), preferences="http://w/a"
    )

    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert email.subject.startswith("Reminder: Studio Bcc: everyone@example.com, Friday 1 March")


def test_names_are_escaped_in_html_and_kept_in_plain_text() -> None:
    about = facts("Tokyo <b>Sound</b>", "<script>x</script>")

    email = Composer().compose(
        Kind.NEW_BOOKING, about, about.owner.id, event_id=uuid.uuid4(), price="9000 JPY"
    )

    assert email.to_address == "olga@example.com"
    assert "&lt;script&gt;x&lt;/script&gt; booked Tokyo &lt;b&gt;Sound&lt;/b&gt;" in email.html_body
    assert "<script>x</script> booked Tokyo <b>Sound</b>." in email.text_body
    assert "10:00 to 12:00 JST (Asia/Tokyo)" in email.text_body
