"""Commands in the order that makes them correct: voids before their payment, refunds before
their capture

Revision ID: payments_0003_command_order
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0003_command_order"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voided_bookings",
        sa.Column(
            "booking_id",
            sa.Uuid(),
            nullable=False,
            comment="voided before its payment was asked for",
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "voided_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("booking_id"),
    )
    op.add_column(
        "refunds", sa.Column("currency", sa.Text(), comment="of the amount booking asked for")
    )
    op.alter_column(
        "refunds",
        "status",
        comment="awaiting_capture (asked before the capture settled), pending, succeeded, rejected",
        existing_type=sa.Text(),
        existing_nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        "refunds",
        "status",
        comment="pending, succeeded, rejected",
        existing_type=sa.Text(),
        existing_nullable=False,
    )
    op.drop_column("refunds", "currency")
    op.drop_table("voided_bookings")
