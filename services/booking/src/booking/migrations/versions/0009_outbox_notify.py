"""The outbox wakes its relay itself: a NOTIFY trigger on insert (service_runtime.messaging_tables)

Revision ID: booking_0009_outbox_notify
Revises: booking_0008_move_payments
Create Date: 2026-12-04
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "booking_0009_outbox_notify"
down_revision = "booking_0008_move_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_notify()


def downgrade() -> None:
    remove_outbox_notify()
