"""Stripe events whose handling keeps failing: counted, and given up on for an operator

Revision ID: payments_0007_event_attempts
Revises: payments_0006_stored_events
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0007_event_attempts"
down_revision = "payments_0006_stored_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "stripe_events",
        sa.Column(
            "attempts", sa.Integer, nullable=False, server_default="0", comment="failed handlings"
        ),
    )
    op.add_column(
        "stripe_events",
        sa.Column(
            "failed_at",
            sa.DateTime(timezone=True),
            comment="given up on: an operator retries it",
        ),
    )
    op.add_column("stripe_events", sa.Column("last_error", sa.Text))


def downgrade() -> None:
    op.drop_column("stripe_events", "last_error")
    op.drop_column("stripe_events", "failed_at")
    op.drop_column("stripe_events", "attempts")
