"""The outbox no longer wakes its relay: a unit of work hands the relay what it committed, and
the relay sweeps for the rest (service_runtime.outbox); the NOTIFY trigger goes

Revision ID: catalog_0013_outbox_handoff
Revises: catalog_0012_timezone_index
Create Date: 2026-12-05
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "catalog_0013_outbox_handoff"
down_revision = "catalog_0012_timezone_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    remove_outbox_notify()


def downgrade() -> None:
    add_outbox_notify()
