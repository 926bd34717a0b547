"""Stripe events are indexed by when they were processed, which the retention deletes by:
before, every prune read every event kept (a week of them)

Revision ID: payments_0014_events_age
Revises: payments_0013_inbox_age
Create Date: 2026-12-07
"""
from service_runtime.migrations import create_index_concurrently, drop_index_concurrently

revision = "payments_0014_events_age"
down_revision = "payments_0013_inbox_age"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_index_concurrently("stripe_events_processed", "stripe_events", ["processed_at"])


def downgrade() -> None:
    drop_index_concurrently("stripe_events_processed", "stripe_events")
