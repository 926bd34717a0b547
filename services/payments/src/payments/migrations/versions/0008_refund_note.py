"""An admin's reason for a refund

Revision ID: payments_0008_refund_note
Revises: payments_0007_event_attempts
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0008_refund_note"
down_revision = "payments_0007_event_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "refunds", sa.Column("note", sa.Text, comment="an admin's reason for the refund")
    )


def downgrade() -> None:
    op.drop_column("refunds", "note")
