"""Booking's tables: its bookings and their history and messages, the read model of studios,
idempotency keys, and the runtime's outbox, inbox and user access changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

NOTIFY_CHANNEL = "booking_changed"

metadata = MetaData()


def _ts(name: str, **kwargs: Any) -> Column[Any]:
    return Column(name, DateTime(timezone=True), **kwargs)


studios = Table(
    "studios",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("hourly_price_minor", BigInteger, nullable=False),
    Column("minimum_hours", Integer, nullable=False),
    Column("cancellation_policy", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("rooms", JSONB, nullable=False),
    Column("add_ons", JSONB, nullable=False, server_default="[]"),
    Column("booking_mode", Text, nullable=False, server_default="instant"),
    Column("request_window_hours", Integer, nullable=False, server_default="24"),
    _ts("updated_at", nullable=False, server_default=func.now()),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False, index=True),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("studio_id", Uuid, nullable=False, index=True),
    Column("room_id", Uuid, nullable=False),
    _ts("starts_at", nullable=False),
    _ts("ends_at", nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    _ts("deadline_at"),
    Column("command_sends", Integer, nullable=False, server_default="0"),
    _ts("command_sent_at"),
    # the price snapshot
    Column("hourly_price_minor", BigInteger, nullable=False),
    Column("hours", Integer, nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False),
    Column("platform_fee_percent", Numeric(5, 2), nullable=False),
    Column("platform_fee_minor", BigInteger, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("add_ons", JSONB, nullable=False, server_default="[]"),  # the add-on lines sold
    Column("add_ons_minor", BigInteger, nullable=False, server_default="0"),
    Column("cancellation_policy", Text, nullable=False),
    _ts("requested_at", nullable=False),
    Column(
        "attendees", Integer, CheckConstraint("attendees >= 1"), nullable=False, server_default="1"
    ),
    _ts("respond_by"),  # a request to book's deadline for the owner's answer
    Column("request_answer", Text),
    Column("reservation_id", Uuid),
    _ts("hold_expires_at"),
    Column("payment_id", Uuid),
    Column("client_secret", Text),
    Column("capture_strategy", Text),
    _ts("authorized_at"),
    _ts("authorization_expires_at"),
    _ts("captured_at"),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("payment_error", Text),
    _ts("confirmed_at"),
    _ts("completed_at"),
    Column("failure_reason", Text),
    Column("failure_detail", Text),
    Column("cancelled_by", Text),
    Column("cancellation_reason", Text),
    Column("refund_minor", BigInteger),
    _ts("ended_at"),
    Column("status_before_dispute", Text),
    Column("dispute_outcome", Text),
    # a move to another room or time, while it runs (domain.booking.Move)
    Column("move_id", Uuid),
    Column("move_room_id", Uuid),
    _ts("move_starts_at"),
    _ts("move_ends_at"),
    Column("move_requested_by", Uuid),
    _ts("move_requested_at"),
    Column("move_reservation_id", Uuid),
    _ts("move_answer_by"),  # a move the owner proposed: until when the booker may agree
    Column("move_price", JSONB),  # the price at the new room and time
    # a dearer move: its difference is a payment of its own, paid while the new range is held
    _ts("move_hold_expires_at"),
    Column("move_payment_id", Uuid),
    Column("move_client_secret", Text),
    _ts("move_authorized_at"),
    Column("move_payment_captured", Boolean),
    Column("move_payment_error", Text),
    Column("move_payment_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("payment_minor", BigInteger),  # what was paid, once a move lowered the price
    Column("move_failure", Text),
    Column("traceparent", Text),  # of the request: deadlines continue the booking's trace
    _ts("updated_at", nullable=False, server_default=func.now()),
)
Index("bookings_due", bookings.c.deadline_at, postgresql_where=bookings.c.deadline_at.isnot(None))

booking_events = Table(
    "booking_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("booking_id", Uuid, ForeignKey("bookings.id"), nullable=False, index=True),
    _ts("occurred_at", nullable=False, server_default=func.now()),
    Column("kind", Text, nullable=False),  # received, sent, action, timer
    Column("name", Text, nullable=False),
    Column("status_before", Text),
    Column("status_after", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("message_id", Uuid),
    Column("causation_id", Uuid),
    Column("traceparent", Text),
    Column("actor_id", Text),
)

booking_messages = Table(
    "booking_messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("booking_id", Uuid, ForeignKey("bookings.id"), nullable=False, index=True),
    Column("author_id", Uuid, nullable=False),
    Column("author_role", Text, nullable=False),
    Column("body", Text, nullable=False),
    _ts("sent_at", nullable=False, server_default=func.now()),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("booking_id", Uuid, nullable=False),
    _ts("created_at", nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)
