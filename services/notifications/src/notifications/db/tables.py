"""Notifications' tables: the read models (people, studios, bookings) and the events waiting for
their booking, the emails (both the record of what was sent and the queue of what is still to
send), reminders, email preferences, and the runtime's outbox and inbox."""

from __future__ import annotations

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
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

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


# Events that came before their booking was known here, kept until it is (`save_booking` takes
# them back) or for the retention (`aged_by` in app.py), then dropped. A booking paid at once
# (its session beyond what a card authorization lasts) is captured when the card is confirmed,
# so its PaymentCaptured often comes before its BookingConfirmed; a booker may write to the
# studio before paying (MessagePosted), when notifications knows nothing of the booking yet.
waiting_events = Table(
    "waiting_events",
    metadata,
    Column("message_id", Uuid, primary_key=True),
    Column("booking_id", Uuid, nullable=False, index=True),
    Column("envelope", JSONB, nullable=False),
    Column("arrived_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
# What the retention deletes sent emails by (`aged_by` in app.py).
Index("emails_sent", emails.c.sent_at)


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
