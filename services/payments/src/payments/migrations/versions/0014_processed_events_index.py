"""Stripe events are indexed by when they were processed, which the retention deletes by:
before, every prune read every event kept (a week of them)

Revision ID: payments_0014_events_age
Revises: payments_0013_inbox_age
Create Date: 2026-12-07
"""
from alembic import op

revision = "payments_0014_events_age"
down_revision = "payments_0013_inbox_age"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Concurrently, outside the migration's transaction: webhooks keep being stored meanwhile.
    with op.get_context().autocommit_block():
        op.create_index(
            "stripe_events_processed",
            "stripe_events",
            ["processed_at"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "stripe_events_processed",
            "stripe_events",
            postgresql_concurrently=True,
            if_exists=True,
        )
