"""The outbox wakes its relay itself: a NOTIFY trigger on insert (service_runtime.messaging_tables)

Revision ID: catalog_0011_outbox_notify
Revises: catalog_0010_free_time_keys
Create Date: 2026-12-04
"""
from service_runtime.migrations import add_outbox_notify, remove_outbox_notify

revision = "catalog_0011_outbox_notify"
down_revision = "catalog_0010_free_time_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_notify()


def downgrade() -> None:
    remove_outbox_notify()
