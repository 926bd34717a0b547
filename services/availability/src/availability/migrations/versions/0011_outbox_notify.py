"""The outbox wakes its relay itself: a NOTIFY trigger on insert (service_runtime.messaging_tables)

Revision ID: availability_0011_outbox_notify
Revises: availability_0010_moves
Create Date: 2026-12-04
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "availability_0011_outbox_notify"
down_revision = "availability_0010_moves"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_notify()


def downgrade() -> None:
    remove_outbox_notify()
