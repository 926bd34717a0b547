"""studios.maximum_hours: the longest booking a studio takes (existing studios: 24 hours)

Revision ID: catalog_0003_maximum_hours
Revises: catalog_0002_booked_sessions
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0003_maximum_hours"
down_revision = "catalog_0002_booked_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "studios",
        sa.Column("maximum_hours", sa.Integer(), nullable=False, server_default="24"),
    )


def downgrade() -> None:
    op.drop_column("studios", "maximum_hours")
