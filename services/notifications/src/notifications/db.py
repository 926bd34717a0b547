"""Notifications' tables and the queries over them.

`emails` is both the record of what was sent and the queue of what is still to send: a row is
written in the transaction of the event that calls for it, unique on (event, recipient, kind),
and the sender claims pending rows with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.notices import BookingStatus, Email, Kind, Preferences
from notifications.domain.read_models import Booking, Person, Studio
from service_runtime.messaging_tables import inbox_table, outbox_table

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

studios = Table(
    "studios",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("owner_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("address", Text),
    Column("city", Text),
    Column("country", Text),
    Column("rooms", JSONB, nullable=False),  # {room id: room name}
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False),
    Column("owner_id", Uuid, nullable=False),
    Column("studio_id", Uuid, nullable=False),
    Column("room_id", Uuid, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

emails = Table(
    "emails",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("booking_id", Uuid, index=True),
    Column("to_address", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("calendar", Text),
    # pending -> sent | failed (attempts spent) | withdrawn (its booking was cancelled);
    # skipped from the start when the recipient turned its kind off
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", "recipient_id", "kind", name="emails_once_per_event"),
)
Index(
    "emails_pending",
    emails.c.next_attempt_at,
    postgresql_where=emails.c.status == "pending",
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booking_id", Uuid, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    # scheduled -> done | cancelled
    Column("status", Text, nullable=False, server_default="scheduled"),
    UniqueConstraint("booking_id", "due_at", name="reminders_once_per_time"),
)
Index(
    "reminders_scheduled",
    reminders.c.due_at,
    postgresql_where=reminders.c.status == "scheduled",
)

# A person without a row wants every email (the defaults of `Preferences`).
email_preferences = Table(
    "email_preferences",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("reminders", Boolean, nullable=False),
    Column("messages", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


async def save_person(session: AsyncSession, person: Person) -> None:
    values = {"id": person.id, "email": person.email, "name": person.name}
    await session.execute(
        pg_insert(people)
        .values(values)
        .on_conflict_do_update(
            index_elements=[people.c.id],
            set_={"email": person.email, "name": person.name, "updated_at": func.now()},
        )
    )


async def forget_person(session: AsyncSession, person_id: uuid.UUID) -> None:
    """The person deleted their account: forget their address and name, withdraw what was
    not yet sent to them and blank what was (the rows stay, so an event replayed adds none);
    their email preferences go too."""
    await session.execute(delete(people).where(people.c.id == person_id))
    mine = emails.c.recipient_id == person_id
    await session.execute(
        update(emails).where(mine, emails.c.status == "pending").values(status="withdrawn")
    )
    await session.execute(
        update(emails)
        .where(mine)
        .values(to_address="", text_body="", html_body="", calendar=None, last_error=None)
    )
    await session.execute(
        delete(email_preferences).where(email_preferences.c.person_id == person_id)
    )


async def person(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    row = (await session.execute(select(people).where(people.c.id == person_id))).first()
    return Person(row.id, row.email, row.name) if row else None


async def save_studio(session: AsyncSession, studio: Studio) -> None:
    """Keep the studio unless a later revision is already kept (the bus does not order)."""
    values: dict[str, Any] = {
        "id": studio.id,
        "revision": studio.revision,
        "owner_id": studio.owner_id,
        "name": studio.name,
        "timezone": studio.timezone,
        "address": studio.address,
        "city": studio.city,
        "country": studio.country,
        "rooms": {str(room_id): name for room_id, name in studio.rooms.items()},
    }
    statement = pg_insert(studios).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[studios.c.id],
            set_={
                **{k: statement.excluded[k] for k in values if k != "id"},
                "updated_at": func.now(),
            },
            where=studios.c.revision < statement.excluded.revision,
        )
    )


async def studio(session: AsyncSession, studio_id: uuid.UUID) -> Studio | None:
    row = (await session.execute(select(studios).where(studios.c.id == studio_id))).first()
    if row is None:
        return None
    return Studio(
        id=row.id,
        revision=row.revision,
        owner_id=row.owner_id,
        name=row.name,
        timezone=row.timezone,
        address=row.address,
        city=row.city,
        country=row.country,
        rooms={uuid.UUID(room_id): name for room_id, name in row.rooms.items()},
    )


async def lock_booking(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    """The booking as known, if at all; its events wait for each other until commit (a lock on
    the id, since the row may not exist yet)."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(str(booking_id), 0)))
    )
    return await booking(session, booking_id)


async def booking(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    row = (await session.execute(select(bookings).where(bookings.c.id == booking_id))).first()
    if row is None:
        return None
    return Booking(
        id=row.id,
        booker_id=row.booker_id,
        owner_id=row.owner_id,
        studio_id=row.studio_id,
        room_id=row.room_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=BookingStatus(row.status),
    )


async def save_booking(session: AsyncSession, booking: Booking) -> None:
    """Insert the booking, or move it to the given status (the caller locked it first)."""
    values = {
        "id": booking.id,
        "booker_id": booking.booker_id,
        "owner_id": booking.owner_id,
        "studio_id": booking.studio_id,
        "room_id": booking.room_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status.value,
    }
    await session.execute(
        pg_insert(bookings)
        .values(values)
        .on_conflict_do_update(
            index_elements=[bookings.c.id],
            set_={"status": booking.status.value, "updated_at": func.now()},
        )
    )


async def preferences(session: AsyncSession, person_id: uuid.UUID) -> Preferences:
    row = (
        await session.execute(
            select(email_preferences).where(email_preferences.c.person_id == person_id)
        )
    ).first()
    return Preferences(row.reminders, row.messages) if row else Preferences()


async def save_preferences(
    session: AsyncSession, person_id: uuid.UUID, chosen: Preferences
) -> None:
    values = {"reminders": chosen.reminders, "messages": chosen.messages}
    await session.execute(
        pg_insert(email_preferences)
        .values(person_id=person_id, **values)
        .on_conflict_do_update(
            index_elements=[email_preferences.c.person_id],
            set_={**values, "updated_at": func.now()},
        )
    )


async def record_email(session: AsyncSession, email: Email, *, status: str = "pending") -> bool:
    """Record the email (queued when `pending`) unless it is already recorded; True when this
    call recorded it."""
    result = await session.execute(
        pg_insert(emails)
        .values(
            id=uuid.uuid4(),
            event_id=email.event_id,
            recipient_id=email.recipient_id,
            kind=email.kind.value,
            booking_id=email.booking_id,
            to_address=email.to_address,
            subject=email.subject,
            text_body=email.text_body,
            html_body=email.html_body,
            calendar=email.calendar,
            status=status,
        )
        .on_conflict_do_nothing(constraint="emails_once_per_event")
        .returning(emails.c.id)
    )
    return result.first() is not None


async def schedule_reminders(
    session: AsyncSession, booking_id: uuid.UUID, due_ats: list[datetime]
) -> None:
    if not due_ats:
        return
    await session.execute(
        pg_insert(reminders)
        .values([{"id": uuid.uuid4(), "booking_id": booking_id, "due_at": at} for at in due_ats])
        .on_conflict_do_nothing(constraint="reminders_once_per_time")
    )


async def withdraw_reminders(session: AsyncSession, booking_id: uuid.UUID) -> None:
    """Cancel the booking's reminders, those scheduled and those queued but not yet sent."""
    await session.execute(
        update(reminders)
        .where(reminders.c.booking_id == booking_id, reminders.c.status == "scheduled")
        .values(status="cancelled")
    )
    await session.execute(
        update(emails)
        .where(
            emails.c.booking_id == booking_id,
            emails.c.kind == Kind.REMINDER.value,
            emails.c.status == "pending",
        )
        .values(status="withdrawn")
    )


@dataclass(frozen=True)
class DueReminder:
    id: uuid.UUID
    booking_id: uuid.UUID
    due_at: datetime


async def claim_due_reminder(session: AsyncSession, now: datetime) -> DueReminder | None:
    """A reminder due by now, locked so that no other replica sends it too."""
    row = (
        await session.execute(
            select(reminders.c.id, reminders.c.booking_id, reminders.c.due_at)
            .where(reminders.c.status == "scheduled", reminders.c.due_at <= now)
            .order_by(reminders.c.due_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    return DueReminder(row.id, row.booking_id, row.due_at) if row else None


async def finish_reminder(session: AsyncSession, reminder_id: uuid.UUID) -> None:
    await session.execute(
        update(reminders).where(reminders.c.id == reminder_id).values(status="done")
    )


@dataclass(frozen=True)
class QueuedEmail:
    id: uuid.UUID
    to_address: str
    subject: str
    text_body: str
    html_body: str
    calendar: str | None
    attempts: int


async def claim_due_email(session: AsyncSession, now: datetime) -> QueuedEmail | None:
    """A pending email whose attempt is due, locked so that no other replica sends it too."""
    row = (
        await session.execute(
            select(emails)
            .where(emails.c.status == "pending", emails.c.next_attempt_at <= now)
            .order_by(emails.c.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    if row is None:
        return None
    return QueuedEmail(
        id=row.id,
        to_address=row.to_address,
        subject=row.subject,
        text_body=row.text_body,
        html_body=row.html_body,
        calendar=row.calendar,
        attempts=row.attempts,
    )


async def mark_sent(session: AsyncSession, email_id: uuid.UUID) -> None:
    await session.execute(
        update(emails)
        .where(emails.c.id == email_id)
        .values(status="sent", sent_at=func.now(), attempts=emails.c.attempts + 1)
    )


async def mark_attempt_failed(
    session: AsyncSession, email_id: uuid.UUID, error: str, *, retry_at: datetime | None
) -> None:
    """Count the failed attempt: try again at `retry_at`, or give up (None) as failed."""
    values: dict[str, Any] = {"attempts": emails.c.attempts + 1, "last_error": error[:2000]}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = retry_at
    await session.execute(update(emails).where(emails.c.id == email_id).values(**values))
