"""when studios' rooms are free, as availability publishes it (FreeTimeChanged), for search:
per studio the longest session from each half-hour start of each weekday and its booking
horizon, and of each date that differs

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
    op.create_table(
        "free_time_weeks",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("days_ahead", sa.Integer(), nullable=False),
        sa.Column("weekly", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "free_time_dates",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("longest", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("free_time_dates")
    op.drop_table("free_time_weeks")
