"""The outbox wakes its relay itself: a NOTIFY trigger on insert (service_runtime.messaging_tables)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_notify()


def downgrade() -> None:
    remove_outbox_notify()
