"""Sent emails are indexed by when they were sent: the retention deletes them by it, with the
inbox ids of the events that asked for them (they were kept for ever)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from service_runtime.migrations import create_index_concurrently, drop_index_concurrently

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_index_concurrently("emails_sent", "emails", ["sent_at"])


def downgrade() -> None:
    drop_index_concurrently("emails_sent", "emails")
