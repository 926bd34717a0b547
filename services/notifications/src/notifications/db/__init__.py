"""Notifications' storage on PostgreSQL: the only code that runs SQL, one module per aggregate.
The service layer calls the functions below as `db.<name>`."""

from notifications.db.emails import (
    QueuedEmail,
    claim_due_email,
    mark_attempt_failed,
    mark_sent,
    record_email,
)
from notifications.db.preferences import preferences, save_preferences
from notifications.db.read_model import (
    booking,
    forget_person,
    lock_booking,
    person,
    save_booking,
    save_person,
    save_studio,
    studio,
)
from notifications.db.reminders import (
    DueReminder,
    claim_due_reminder,
    finish_reminder,
    schedule_reminders,
    withdraw_reminders,
)
from notifications.db.tables import inbox, metadata, outbox

__all__ = [
    "DueReminder",
    "QueuedEmail",
    "booking",
    "claim_due_email",
    "claim_due_reminder",
    "finish_reminder",
    "forget_person",
    "inbox",
    "lock_booking",
    "mark_attempt_failed",
    "mark_sent",
    "metadata",
    "outbox",
    "person",
    "preferences",
    "record_email",
    "save_booking",
    "save_person",
    "save_preferences",
    "save_studio",
    "schedule_reminders",
    "studio",
    "withdraw_reminders",
]
