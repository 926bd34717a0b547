"""The outbox wakes its relay itself: a NOTIFY trigger on insert (service_runtime.messaging_tables)

Revision ID: payments_0010_outbox_notify
Revises: payments_0009_move_payments
Create Date: 2026-12-04
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "payments_0010_outbox_notify"
down_revision = "payments_0009_move_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_notify()


def downgrade() -> None:
    remove_outbox_notify()
