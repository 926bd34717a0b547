"""Stripe events stored first and processed after: their payload, when processed, and a lease

Revision ID: payments_0006_stored_events
Revises: payments_0005_owner_earnings
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "payments_0006_stored_events"
down_revision = "payments_0005_owner_earnings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "stripe_events",
        sa.Column(
            "payload", JSONB, comment="the event in our words (payments.provider.ProviderEvent)"
        ),
    )
    op.add_column("stripe_events", sa.Column("processed_at", sa.DateTime(timezone=True)))
    op.add_column(
        "stripe_events",
        sa.Column(
            "leased_until", sa.DateTime(timezone=True), comment="a processor has it until then"
        ),
    )
    # Every event recorded so far was applied in the transaction that recorded it.
    op.execute("UPDATE stripe_events SET processed_at = received_at")
    op.create_index(
        "stripe_events_unprocessed",
        "stripe_events",
        ["created"],
        postgresql_where=sa.text("processed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("stripe_events_unprocessed", table_name="stripe_events")
    op.drop_column("stripe_events", "leased_until")
    op.drop_column("stripe_events", "processed_at")
    op.drop_column("stripe_events", "payload")
