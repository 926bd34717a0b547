"""A payment keeps when it was last read at the booker's word (their page says the card went
through), apart from reconciliation's re-reads, so that neither holds the other back

Revision ID: payments_0015_card_checks
Revises: payments_0014_events_age
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0015_card_checks"
down_revision = "payments_0014_events_age"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column(
            "card_checked_at",
            sa.DateTime(timezone=True),
            comment="last read from Stripe at the booker's word (card-confirmed)",
        ),
    )


def downgrade() -> None:
    op.drop_column("payments", "card_checked_at")
