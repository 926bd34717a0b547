"""requests to book: each studio's booking mode and answer window from catalog, and on each
booking when its owner's answer is due and what it was (bookings made before: instant)

Revision ID: booking_0006_requests
Revises: booking_0005_add_ons
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "booking_0006_requests"
down_revision = "booking_0005_add_ons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "studios", sa.Column("booking_mode", sa.Text(), server_default="instant", nullable=False)
    )
    op.add_column(
        "studios",
        sa.Column("request_window_hours", sa.Integer(), server_default="24", nullable=False),
    )
    op.add_column("bookings", sa.Column("respond_by", sa.DateTime(timezone=True)))
    op.add_column("bookings", sa.Column("request_answer", sa.Text()))


def downgrade() -> None:
    op.drop_column("bookings", "request_answer")
    op.drop_column("bookings", "respond_by")
    op.drop_column("studios", "request_window_hours")
    op.drop_column("studios", "booking_mode")
