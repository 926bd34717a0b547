"""a studio's booking mode (instant, or request: the owner accepts each booking) and how long
its owner has to answer a request (existing studios: instant, 24 hours)

Revision ID: catalog_0007_booking_mode
Revises: catalog_0006_add_ons
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0007_booking_mode"
down_revision = "catalog_0006_add_ons"
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


def downgrade() -> None:
    op.drop_column("studios", "request_window_hours")
    op.drop_column("studios", "booking_mode")
