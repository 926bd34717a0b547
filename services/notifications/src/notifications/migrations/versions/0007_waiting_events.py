"""Events that come before their booking wait for it in a table, instead of being retried
through the bus (a receipt of a booking paid at once came before its confirmation)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waiting_events",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("envelope", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "arrived_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_index("ix_waiting_events_booking_id", "waiting_events", ["booking_id"])


def downgrade() -> None:
    op.drop_index("ix_waiting_events_booking_id", table_name="waiting_events")
    op.drop_table("waiting_events")
