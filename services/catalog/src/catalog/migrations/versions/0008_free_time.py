"""when studios' rooms are free, as availability publishes it (FreeTimeChanged), for search:
on each studio the longest session from each half-hour start of each weekday and its booking
horizon; beside them the dates that differ and when each studio's picture was computed

Revision ID: catalog_0008_free_time
Revises: catalog_0007_booking_mode
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0008_free_time"
down_revision = "catalog_0007_booking_mode"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("studios", sa.Column("free_weekly", sa.LargeBinary(), nullable=True))
    op.add_column("studios", sa.Column("free_days_ahead", sa.Integer(), nullable=True))
    op.create_table(
        "free_time_studios",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "free_time_dates",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("longest", sa.LargeBinary(), nullable=False),
    )
    op.create_index("free_time_dates_studio", "free_time_dates", ["studio_id"])


def downgrade() -> None:
    op.drop_table("free_time_dates")
    op.drop_table("free_time_studios")
    op.drop_column("studios", "free_days_ahead")
    op.drop_column("studios", "free_weekly")
