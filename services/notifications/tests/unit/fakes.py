"""In-memory repositories behind notifications' unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: one email per (event, recipient, kind), the
newest studio revision kept, reminders once per time, a forgotten person's emails blanked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from contracts import Envelope
from notifications.domain.notices import Email, Kind, Preferences
from notifications.domain.read_models import Booking, Person, Studio
from notifications.repositories import (
    DueReminder,
    Emails,
    NotificationsUnit,
    PreferencesStore,
    ReadModel,
    Reminders,
)
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork


@dataclass
class StoredEmail:
    email: Email
    status: str


@dataclass
class NotificationsTables:
    people: dict[uuid.UUID, Person] = field(default_factory=dict)
    studios: dict[uuid.UUID, Studio] = field(default_factory=dict)
    bookings: dict[uuid.UUID, Booking] = field(default_factory=dict)
    waiting: dict[uuid.UUID, list[Envelope]] = field(default_factory=dict)
    preferences: dict[uuid.UUID, Preferences] = field(default_factory=dict)
    emails: dict[tuple[uuid.UUID, uuid.UUID, Kind], StoredEmail] = field(default_factory=dict)
    reminders: dict[uuid.UUID, tuple[DueReminder, str]] = field(default_factory=dict)

    def emails_to(self, recipient: uuid.UUID, status: str = "pending") -> list[Email]:
        return [
            stored.email
            for stored in self.emails.values()
            if stored.email.recipient_id == recipient and stored.status == status
        ]


class FakeReadModel:
    def __init__(self, tables: NotificationsTables) -> None:
        self._t = tables

    async def save_person(self, person: Person) -> None:
        self._t.people[person.id] = person

    async def forget_person(self, person_id: uuid.UUID) -> None:
        self._t.people.pop(person_id, None)
        self._t.preferences.pop(person_id, None)
        for stored in self._t.emails.values():
            if stored.email.recipient_id == person_id:
                stored.status = "withdrawn" if stored.status == "pending" else stored.status
                stored.email = replace(
                    stored.email, to_address="", text_body="", html_body="", calendar=None
                )

    async def person(self, person_id: uuid.UUID) -> Person | None:
        return self._t.people.get(person_id)

    async def save_studio(self, studio: Studio) -> None:
        kept = self._t.studios.get(studio.id)
        if kept is None or kept.revision < studio.revision:
            self._t.studios[studio.id] = studio

    async def studio_and_people(
        self, studio_id: uuid.UUID, booker_id: uuid.UUID, owner_id: uuid.UUID
    ) -> tuple[Studio | None, Person | None, Person | None]:
        people = self._t.people
        return self._t.studios.get(studio_id), people.get(booker_id), people.get(owner_id)

    async def lock_booking(self, booking_id: uuid.UUID) -> Booking | None:
        return self._t.bookings.get(booking_id)

    async def booking(self, booking_id: uuid.UUID) -> Booking | None:
        return self._t.bookings.get(booking_id)

    async def save_booking(self, booking: Booking) -> list[Envelope]:
        kept = self._t.bookings.get(booking.id)
        self._t.bookings[booking.id] = (
            booking if kept is None else replace(kept, status=booking.status)
        )
        return self._t.waiting.pop(booking.id, [])

    async def wait_for_booking(self, booking_id: uuid.UUID, envelope: Envelope) -> None:
        waiting = self._t.waiting.setdefault(booking_id, [])
        if envelope not in waiting:
            waiting.append(envelope)


class FakePreferences:
    def __init__(self, tables: NotificationsTables) -> None:
        self._t = tables

    async def of(self, person_id: uuid.UUID) -> Preferences:
        return self._t.preferences.get(person_id, Preferences())

    async def save(self, person_id: uuid.UUID, chosen: Preferences) -> None:
        self._t.preferences[person_id] = chosen


class FakeEmails:
    def __init__(self, tables: NotificationsTables) -> None:
        self._t = tables

    async def record(self, email: Email, *, status: str = "pending") -> bool:
        key = (email.event_id, email.recipient_id, email.kind)
        if key in self._t.emails:
            return False
        self._t.emails[key] = StoredEmail(email, status)
        return True


class FakeReminders:
    def __init__(self, tables: NotificationsTables) -> None:
        self._t = tables

    async def schedule(self, booking_id: uuid.UUID, due_ats: list[datetime]) -> None:
        known = {(r.booking_id, r.due_at) for r, _ in self._t.reminders.values()}
        for at in due_ats:
            if (booking_id, at) not in known:
                reminder = DueReminder(uuid.uuid4(), booking_id, at)
                self._t.reminders[reminder.id] = (reminder, "scheduled")

    async def withdraw(self, booking_id: uuid.UUID) -> None:
        for key, (reminder, status) in self._t.reminders.items():
            if reminder.booking_id == booking_id and status == "scheduled":
                self._t.reminders[key] = (reminder, "cancelled")
        for stored in self._t.emails.values():
            email = stored.email
            if email.booking_id == booking_id and email.kind is Kind.REMINDER:
                stored.status = "withdrawn" if stored.status == "pending" else stored.status

    async def claim_due(self, now: datetime) -> DueReminder | None:
        due = [r for r, status in self._t.reminders.values() if status == "scheduled"]
        due = [r for r in due if r.due_at <= now]
        return min(due, key=lambda r: r.due_at) if due else None

    async def finish(self, reminder_id: uuid.UUID) -> None:
        reminder, _ = self._t.reminders[reminder_id]
        self._t.reminders[reminder_id] = (reminder, "done")


class FakeNotificationsUnit:
    def __init__(self, uow: FakeUnitOfWork[NotificationsTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.read_model: ReadModel = FakeReadModel(uow.state)
        self.preferences: PreferencesStore = FakePreferences(uow.state)
        self.emails: Emails = FakeEmails(uow.state)
        self.reminders: Reminders = FakeReminders(uow.state)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._uow.after_commit(callback)


class FakeNotificationsUnits:
    """Notifications' units of work over in-memory tables; `tables` is what committed."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self.store = FakeUnitsOfWork(NotificationsTables(), clock=clock)

    @property
    def clock(self) -> Clock:
        return self.store.clock

    @property
    def tables(self) -> NotificationsTables:
        return self.store.state

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[NotificationsUnit]:
        async with self.store.begin() as uow:
            yield FakeNotificationsUnit(uow)
