"""What notifications' use cases need from storage, as Protocols: `db/` implements them on
PostgreSQL, the fast tests with in-memory fakes. A use case sees one `NotificationsUnit`: the
repositories of one transaction and its clock reading."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contracts import Envelope
from notifications.domain.notices import Email, Preferences
from notifications.domain.read_models import Booking, Person, Studio
from service_runtime.clock import Clock


@dataclass(frozen=True)
class DueReminder:
    id: uuid.UUID
    booking_id: uuid.UUID
    due_at: datetime


class ReadModel(Protocol):
    """People, studios and bookings as notifications knows them."""

    async def save_person(self, person: Person) -> None: ...

    async def forget_person(self, person_id: uuid.UUID) -> None:
        """Forget the person's address and name, withdraw what was not yet sent to them and
        blank what was; their email preferences go too."""
        ...

    async def person(self, person_id: uuid.UUID) -> Person | None: ...

    async def save_studio(self, studio: Studio) -> None:
        """Keep the studio unless a later revision is already kept (the bus does not order)."""
        ...

    async def studio_and_people(
        self, studio_id: uuid.UUID, booker_id: uuid.UUID, owner_id: uuid.UUID
    ) -> tuple[Studio | None, Person | None, Person | None]:
        """The studio and the two people an email about a booking names, each if known."""
        ...

    async def lock_booking(self, booking_id: uuid.UUID) -> Booking | None:
        """The booking as known, if at all; its events wait for each other until commit."""
        ...

    async def booking(self, booking_id: uuid.UUID) -> Booking | None: ...

    async def save_booking(self, booking: Booking) -> list[Envelope]:
        """Insert the booking, or move it to the given status (the caller locked it first);
        the events that waited for it (`wait_for_booking`), taken off the wait, oldest first."""
        ...

    async def wait_for_booking(self, booking_id: uuid.UUID, envelope: Envelope) -> None:
        """Keep an event that came before its booking until the booking is saved (the caller
        locked the booking first); dropped after the retention if it never is."""
        ...


class PreferencesStore(Protocol):
    async def of(self, person_id: uuid.UUID) -> Preferences: ...

    async def save(self, person_id: uuid.UUID, chosen: Preferences) -> None: ...


class Emails(Protocol):
    async def record(self, email: Email, *, status: str = "pending") -> bool:
        """Record the email (queued when `pending`) unless it is already recorded (by event,
        recipient and kind); True when this call recorded it."""
        ...


class Reminders(Protocol):
    async def schedule(self, booking_id: uuid.UUID, due_ats: list[datetime]) -> None: ...

    async def withdraw(self, booking_id: uuid.UUID) -> None:
        """Cancel the booking's reminders, those scheduled and those queued but not yet sent."""
        ...

    async def claim_due(self, now: datetime) -> DueReminder | None:
        """A reminder due by now, claimed so that no other replica sends it too."""
        ...

    async def finish(self, reminder_id: uuid.UUID) -> None: ...


class NotificationsUnit(Protocol):
    """One transaction of notifications: its repositories and its clock reading."""

    read_model: ReadModel
    preferences: PreferencesStore
    emails: Emails
    reminders: Reminders
    now: datetime

    def after_commit(self, callback: Callable[[], None]) -> None: ...


class NotificationsUnits(Protocol):
    @property
    def clock(self) -> Clock: ...

    def begin(self) -> AbstractAsyncContextManager[NotificationsUnit]: ...
