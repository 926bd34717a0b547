"""The inbox is indexed by when its messages were handled, which the retention deletes by
(service_runtime.retention): before, every prune read the whole inbox

Revision ID: payments_0013_inbox_age
Revises: payments_0012_payment_trace
Create Date: 2026-12-07
"""
from service_runtime.migrations import add_inbox_age_index, remove_inbox_age_index

revision = "payments_0013_inbox_age"
down_revision = "payments_0012_payment_trace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_inbox_age_index()


def downgrade() -> None:
    remove_inbox_age_index()
