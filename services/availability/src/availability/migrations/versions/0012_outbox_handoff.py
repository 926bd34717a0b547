"""The outbox no longer wakes its relay: a unit of work hands the relay what it committed, and
the relay sweeps for the rest (service_runtime.outbox); the NOTIFY trigger goes

Revision ID: availability_0012_outbox_handoff
Revises: availability_0011_outbox_notify
Create Date: 2026-12-05
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "availability_0012_outbox_handoff"
down_revision = "availability_0011_outbox_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    remove_outbox_notify()


def downgrade() -> None:
    add_outbox_notify()
