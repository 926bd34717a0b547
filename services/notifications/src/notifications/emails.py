"""Emails written from the Jinja2 templates, in the recipient's terms: the studio's local time
with its zone, money in its currency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.domain import wording
from notifications.domain.notices import Email, Kind
from notifications.domain.read_models import Booking, Person, Studio


@dataclass(frozen=True)
class BookingFacts:
    """Everything an email about a booking names."""

    booking: Booking
    studio: Studio
    booker: Person
    owner: Person

    def recipient(self, person_id: uuid.UUID) -> Person:
        return self.booker if person_id == self.booker.id else self.owner

    @property
    def when(self) -> str:
        return wording.local_span(self.booking.starts_at, self.booking.ends_at, self.studio.zone)


class Composer:
    """Writes an email of a kind: subject, plain text and HTML from `<kind>.*` templates."""

    def __init__(self) -> None:
        self._templates = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            # The templates ship with the package: their files are not looked at again for
            # every email (Jinja2's default, two system calls per template).
            auto_reload=False,
        )

    def compose(
        self,
        kind: Kind,
        facts: BookingFacts,
        recipient_id: uuid.UUID,
        *,
        event_id: uuid.UUID,
        calendar: str | None = None,
        **context: Any,
    ) -> Email:
        recipient = facts.recipient(recipient_id)
        values = {
            "recipient": recipient,
            "booker": facts.booker,
            "studio": facts.studio,
            "room": facts.studio.rooms.get(facts.booking.room_id),
            "when": facts.when,
            **context,
        }
        # One line whatever the names in it hold: a header cannot carry a line break.
        subject = " ".join(self._render(f"{kind}.subject.txt", values).split())
        return Email(
            event_id=event_id,
            recipient_id=recipient.id,
            kind=kind,
            booking_id=facts.booking.id,
            to_address=recipient.email,
            subject=subject,
            text_body=self._render(f"{kind}.txt", values),
            html_body=self._render(f"{kind}.html", {**values, "subject": subject}),
            calendar=calendar,
        )

    def compose_link(
        self, kind: Kind, recipient: Person, *, event_id: uuid.UUID, link: str, expires_at: datetime
    ) -> Email:
        """An account email (verification, reset): the link and until when it works."""
        values = {"recipient": recipient, "link": link, "until": wording.utc_moment(expires_at)}
        subject = " ".join(self._render(f"{kind}.subject.txt", values).split())
        return Email(
            event_id=event_id,
            recipient_id=recipient.id,
            kind=kind,
            booking_id=None,
            to_address=recipient.email,
            subject=subject,
            text_body=self._render(f"{kind}.txt", values),
            html_body=self._render(f"{kind}.html", {**values, "subject": subject}),
        )

    def _render(self, name: str, values: dict[str, Any]) -> str:
        return self._templates.get_template(name).render(values)
